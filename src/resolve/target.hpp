// SPDX-License-Identifier: MIT
// "host:port" text as the resolver sees it: a numeric endpoint needs no
// lookup; a name is checked before any server is asked about it.
#pragma once

#include <optional>
#include <string_view>

#include "sockkit/endpoint.hpp"

namespace sockkit::resolve_detail {

struct Target {
  std::optional<Endpoint> numeric;  // numeric text: nothing to resolve
  std::string_view host;            // otherwise the name (may be empty: passive "any")
  std::uint16_t port = 0;
};

/// Numeric text, "unix:…", or "name:port". failure::malformed_address for a
/// host that is neither an address nor a valid name; missing_port without ":port".
Result<Target> parse_target(std::string_view text) noexcept;

}  // namespace sockkit::resolve_detail
