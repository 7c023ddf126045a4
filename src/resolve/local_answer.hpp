// SPDX-License-Identifier: MIT
// Answers known without asking a server: numeric text (glibc's inet_aton
// shorthand too), the hosts table, and RFC 6761's localhost. A pure function
// of its inputs, the same for every lookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "resolve/config.hpp"
#include "sockkit/resolver.hpp"

namespace sockkit::resolve_detail {

/// What a name's local answer is for one family.
struct LocalAnswer {
  Result<Resolution> result;
  bool from_hosts_file = false;  ///< the hosts table or localhost answered (counted as a hit)
};

/// The answer for (`host`, `port`, `family`) from numeric text, `hosts` or
/// localhost; none when a server must be asked. A name is local for every
/// family or for none: a family it lacks is no_address, never a query.
std::optional<LocalAnswer> local_answer(std::string_view host, std::uint16_t port, Family family,
                                        const HostsTable& hosts);

}  // namespace sockkit::resolve_detail
