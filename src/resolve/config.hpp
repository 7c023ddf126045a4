// SPDX-License-Identifier: MIT
// The resolver's inputs from the system: the hosts table and the
// search-list expansion of a name (resolv.conf's search and ndots).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sockkit/resolver.hpp"

namespace sockkit::resolve_detail {

/// /etc/hosts, parsed once: name → addresses, first line first.
class HostsTable {
 public:
  void parse(std::string_view text);
  /// True if `name` is in the table (case-insensitive); its addresses of
  /// `family` (port 0) are appended to `out`, and `canonical` (if given) is
  /// the first name of the first line naming it, as glibc reports it.
  bool find(std::string_view name, Family family, std::vector<Endpoint>& out,
            std::string* canonical = nullptr) const;
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::string name;  // lower case
    Endpoint address;
    std::string official;  // the line's first name, as written
  };
  std::vector<Entry> entries_;
};

/// The names to ask for, in order: with fewer than `ndots` dots the search
/// domains first, then the name itself; otherwise the name first. A final dot
/// means the name alone.
std::vector<std::string> search_candidates(std::string_view name, const ResolverConfig& config);

/// What glibc takes on top of resolv.conf: `localdomain` (the LOCALDOMAIN
/// variable) replaces the search list, `res_options` (RES_OPTIONS) adds
/// options, and with no search list at all the domain of `host_name` (what
/// follows its first dot) is one. Null variables are unset.
void apply_environment(ResolverConfig& config, std::string_view host_name, const char* localdomain,
                       const char* res_options);

/// The largest resolv.conf or hosts file read (a bigger one is cut here).
inline constexpr std::size_t kMaxConfigFile = 1 << 20;

}  // namespace sockkit::resolve_detail
