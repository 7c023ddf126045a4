// SPDX-License-Identifier: MIT
// The DNS servers lwIP itself holds (dns_setserver, or DHCP), for both lwIP
// stacks: sockkit's resolver reads them and the application may replace them.
// `Hold` is the stack's way of holding lwIP for the call (the core lock, or the
// bare-metal stack's guard).
#pragma once

#include <span>
#include <vector>

#include "lwip/opt.h"
#if LWIP_DNS
#include "lwip/dns.h"
#endif
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/result.hpp"

namespace sockkit::sys::lwip_dns {

template <class Hold>
std::vector<Endpoint> servers() {
  std::vector<Endpoint> found;
#if LWIP_DNS && LWIP_IPV4
  Hold hold;
  for (u8_t i = 0; i < DNS_MAX_SERVERS; ++i) {
    const ip_addr_t* a = dns_getserver(i);
    if (a == nullptr || ip_addr_isany(a) || !IP_IS_V4(a)) continue;
    const u32_t v = ip4_addr_get_u32(ip_2_ip4(a));  // network order in memory
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    found.push_back(Endpoint::ipv4({b[0], b[1], b[2], b[3]}, 53));
  }
#endif
  return found;
}

/// `running`: whether the stack has started (else failure::stack_not_started,
/// once the servers themselves are found valid).
template <class Hold>
Status set_servers(std::span<const Endpoint> servers, bool running) noexcept {
#if LWIP_DNS && LWIP_IPV4
  if (servers.size() > DNS_MAX_SERVERS) return failure::limit_reached;
  for (const auto& s : servers)
    if (s.family() != Family::ipv4 || (s.port() != 0 && s.port() != 53))
      return failure::wrong_family;  // lwIP keeps IPv4 addresses, always port 53
  if (!running) return failure::stack_not_started;
  Hold hold;
  for (u8_t i = 0; i < DNS_MAX_SERVERS; ++i) {
    ip_addr_t a = IPADDR4_INIT(0);
    if (i < servers.size()) {
      const auto b = servers[i].address_bytes();
      IP_ADDR4(&a, b[0], b[1], b[2], b[3]);
    }
    dns_setserver(i, &a);
  }
  return {};
#else
  (void)servers, (void)running;
  return failure::backend_unavailable;  // LWIP_DNS is off: the stack keeps no servers
#endif
}

}  // namespace sockkit::sys::lwip_dns
