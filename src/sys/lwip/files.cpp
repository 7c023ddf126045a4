// SPDX-License-Identifier: MIT
// A device has no /etc: the resolver's servers are the application's, or the
// ones lwIP holds (dns_setserver, filled by DHCP when LWIP_DHCP and LWIP_DNS are on).
#include "lwip/opt.h"
#if LWIP_DNS
#include "lwip/dns.h"
#include "lwip/tcpip.h"
#endif
#include "sys/lwip/lwip.hpp"
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

std::vector<Endpoint> stack_dns_servers() {
  std::vector<Endpoint> servers;
#if LWIP_DNS && LWIP_IPV4
  if (!lwip::running()) return servers;  // dns_getserver reads the stack's state
  for (u8_t i = 0; i < DNS_MAX_SERVERS; ++i) {
    const ip_addr_t* a = dns_getserver(i);
    if (a == nullptr || ip_addr_isany(a) || !IP_IS_V4(a)) continue;
    const u32_t v = ip4_addr_get_u32(ip_2_ip4(a));  // network order in memory
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    servers.push_back(Endpoint::ipv4({b[0], b[1], b[2], b[3]}, 53));
  }
#endif
  return servers;
}

Status set_stack_dns_servers(std::span<const Endpoint> servers) noexcept {
#if LWIP_DNS && LWIP_IPV4
  if (servers.size() > DNS_MAX_SERVERS) return failure::limit_reached;
  for (const auto& s : servers)
    if (s.family() != Family::ipv4 || (s.port() != 0 && s.port() != 53))
      return failure::wrong_family;  // lwIP keeps IPv4 addresses, always port 53
  if (!lwip::running()) return failure::stack_not_started;
  LOCK_TCPIP_CORE();
  for (u8_t i = 0; i < DNS_MAX_SERVERS; ++i) {
    ip_addr_t a = IPADDR4_INIT(0);
    if (i < servers.size()) {
      const auto b = servers[i].address_bytes();
      IP_ADDR4(&a, b[0], b[1], b[2], b[3]);
    }
    dns_setserver(i, &a);
  }
  UNLOCK_TCPIP_CORE();
  return {};
#else
  (void)servers;
  return failure::backend_unavailable;  // LWIP_DNS is off: the stack keeps no servers
#endif
}

}  // namespace sockkit::sys
