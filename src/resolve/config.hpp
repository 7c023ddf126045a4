// SPDX-License-Identifier: MIT
// The resolver's inputs from the system: the hosts table and the
// search-list expansion of a name (resolv.conf's search and ndots).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/clock.hpp"
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

/// The resolver's configuration and hosts table, loaded at creation and, for
/// the system's, checked again when a lookup begins (at most every
/// kCheckEvery): a changed resolv.conf or hosts file (by modification stamp)
/// is loaded again, as glibc does. An application's own configuration is
/// fixed, its hosts file read once.
class ConfigWatch {
 public:
  using Clock = LoopClock;
  static constexpr std::chrono::seconds kCheckEvery{5};

  /// `fixed`: the application's own configuration; none: the system's.
  ConfigWatch(std::optional<ResolverConfig> fixed, Clock::time_point now);
  /// True if the configuration was loaded again (answers cached under the
  /// old one may be stale).
  bool refresh(Clock::time_point now);
  const ResolverConfig& config() const noexcept { return config_; }
  const HostsTable& hosts() const noexcept { return hosts_; }

 private:
  using Stamps = std::pair<std::uint64_t, std::uint64_t>;  // resolv.conf, hosts file
  void load(Clock::time_point now);
  Stamps current_stamps() const;

  std::optional<ResolverConfig> fixed_;
  ResolverConfig config_;
  HostsTable hosts_;
  Stamps stamps_{};
  Clock::time_point checked_at_{};
};

}  // namespace sockkit::resolve_detail
