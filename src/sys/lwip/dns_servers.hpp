// SPDX-License-Identifier: MIT
// lwIP's own DNS client and the servers it holds (dns_setserver, or DHCP),
// for both lwIP stacks: sockkit's resolver reads the servers, the application
// may replace them, and the stack resolver engine asks lwIP's client. `Hold` is
// the stack's way of holding lwIP for the call (the core lock, or the
// bare-metal stack's guard).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lwip/opt.h"
#if LWIP_DNS
#include "lwip/dns.h"
#endif
#include "sockkit/endpoint.hpp"
#include "sockkit/error.hpp"
#include "sockkit/result.hpp"
#include "sys/sys.hpp"

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

#if LWIP_DNS
/// The one caller's completion (the stack resolver engine), for lwIP's callback.
inline std::atomic<StackDnsDone> lookup_done{nullptr};

inline Endpoint endpoint_of(const ip_addr_t& a) noexcept {
#if LWIP_IPV6
  if (IP_IS_V6(&a)) {
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), ip_2_ip6(&a)->addr, bytes.size());  // network order in memory
    return Endpoint::ipv6(bytes, 0);
  }
#endif
  const u32_t v = ip4_addr_get_u32(ip_2_ip4(&a));
  const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
  return Endpoint::ipv4({b[0], b[1], b[2], b[3]}, 0);
}

inline void found(const char*, const ip_addr_t* address, void* token) {
  const StackDnsDone done = lookup_done.load(std::memory_order_acquire);
  if (done == nullptr) return;
  if (address == nullptr)  // NXDOMAIN, an error, or no answer after lwIP's retries
    return done(reinterpret_cast<std::uintptr_t>(token),
                make_error_code(failure::resolver_failure));
  done(reinterpret_cast<std::uintptr_t>(token), endpoint_of(*address));
}
#endif

/// sys::stack_dns_lookup() on lwIP; `running` as for set_servers().
template <class Hold>
Result<std::optional<Endpoint>> lookup(const std::string& name, Family family, StackDnsDone done,
                                       std::uintptr_t token, bool running) noexcept {
#if LWIP_DNS
  if (!running) return failure::stack_not_started;
  if ((family == Family::ipv6 && !LWIP_IPV6) || (family == Family::ipv4 && !LWIP_IPV4))
    return failure::no_address;  // the stack has no such addresses to ask for
  lookup_done.store(done, std::memory_order_release);
  ip_addr_t address{};
  err_t e = ERR_OK;
  {
    Hold hold;
#if LWIP_IPV4 && LWIP_IPV6
    const u8_t type = family == Family::ipv6 ? LWIP_DNS_ADDRTYPE_IPV6 : LWIP_DNS_ADDRTYPE_IPV4;
#else
    const u8_t type = LWIP_DNS_ADDRTYPE_DEFAULT;
#endif
    e = dns_gethostbyname_addrtype(name.c_str(), &address, &found, reinterpret_cast<void*>(token),
                                   type);
  }
  if (e == ERR_OK) return std::optional<Endpoint>(endpoint_of(address));
  if (e == ERR_INPROGRESS) return std::optional<Endpoint>();
  if (e == ERR_MEM) return failure::limit_reached;       // lwIP's table of lookups is full
  if (e == ERR_VAL) return failure::dns_server_failure;  // no server set: nobody to ask
  return failure::malformed_address;                     // ERR_ARG: empty or too long
#else
  (void)name, (void)family, (void)done, (void)token, (void)running;
  return failure::backend_unavailable;  // LWIP_DNS is off
#endif
}

}  // namespace sockkit::sys::lwip_dns
