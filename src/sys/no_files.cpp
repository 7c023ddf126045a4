// SPDX-License-Identifier: MIT
// A device has no /etc, for both lwIP stacks: the resolver's servers are the
// application's, or the ones lwIP holds (dns_setserver, filled by DHCP when
// LWIP_DHCP and LWIP_DNS are on).
#include "sys/sys.hpp"

namespace sockkit::sys {

Result<std::size_t> read_config_file(const char*, std::span<char>) noexcept {
  return failure::backend_unavailable;
}

std::uint64_t config_file_stamp(const char*) noexcept {
  return 0;
}

std::string host_name() {
  return {};  // a device names itself to DHCP, not to its resolver
}

}  // namespace sockkit::sys
