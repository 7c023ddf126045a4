// SPDX-License-Identifier: MIT
// Socket options on lwIP: what it lacks is not_supported (ENOPROTOOPT), never a silent success.
#include <cstring>

#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "sys/lwip/lwip.hpp"
#include "sys/option_shapes.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using lwip::last_error;

namespace {

NativeOption native_option(Option option) noexcept {
  switch (option) {
    case Option::reuse_address:
      return {SOL_SOCKET, SO_REUSEADDR, Shape::flag};
    case Option::keepalive:
      return {SOL_SOCKET, SO_KEEPALIVE, Shape::flag};
    case Option::broadcast:
      return {SOL_SOCKET, SO_BROADCAST, Shape::flag};
    case Option::keepalive_idle_s:
      return {IPPROTO_TCP, TCP_KEEPIDLE};
    case Option::keepalive_interval_s:
      return {IPPROTO_TCP, TCP_KEEPINTVL};
    case Option::keepalive_count:
      return {IPPROTO_TCP, TCP_KEEPCNT};
    case Option::no_delay:
      return {IPPROTO_TCP, TCP_NODELAY, Shape::flag};
    case Option::receive_timeout_ms:
      return {SOL_SOCKET, SO_RCVTIMEO, Shape::millis_timeval};
    case Option::send_timeout_ms:
      return {SOL_SOCKET, SO_SNDTIMEO, Shape::millis_timeval};
    case Option::receive_buffer:
      return {SOL_SOCKET, SO_RCVBUF};
    case Option::linger_s:
      return {SOL_SOCKET, SO_LINGER, Shape::linger_seconds};
    case Option::type_of_service:
      return {IPPROTO_IP, IP_TOS};
#if LWIP_MULTICAST_TX_OPTIONS
    case Option::multicast_ttl:
      return {IPPROTO_IP, IP_MULTICAST_TTL, Shape::byte};
    case Option::multicast_loopback:
      return {IPPROTO_IP, IP_MULTICAST_LOOP, Shape::byte};
#else
    case Option::multicast_ttl:
    case Option::multicast_loopback:
#endif
    // Not in lwIP 2.1 (or off in sockkit's profiles): reported as not supported.
    case Option::reuse_port:
    case Option::send_buffer:
    case Option::user_timeout_ms:
    case Option::ipv6_only:
      break;
  }
  return {};
}

}  // namespace

Status set_option(NativeHandle h, Family, Option option, int value) noexcept {
  const NativeOption n = native_option(option);
  if (n.level < 0) return lwip::error(ENOPROTOOPT);
  auto set = [&](int level, int name, const void* p, socklen_t len) {
    return lwip_setsockopt(h.value, level, name, p, len);
  };
  if (set_shaped(set, n, value) != 0) return last_error();
  return {};
}

Result<int> get_option(NativeHandle h, Family, Option option) noexcept {
  const NativeOption n = native_option(option);
  if (n.level < 0) return lwip::error(ENOPROTOOPT);
  auto get = [&](int level, int name, void* p, socklen_t* len) {
    return lwip_getsockopt(h.value, level, name, p, len);
  };
  int value = 0;
  if (get_shaped(get, n, value) != 0) return last_error();
  return value;
}

Status multicast_membership(NativeHandle h, const Endpoint& group, std::uint32_t interface_index,
                            bool join) noexcept {
#if LWIP_IGMP
  if (group.family() != Family::ipv4) return lwip::error(EAFNOSUPPORT);
  ip_mreq request{};  // lwIP names the interface by its address: 0.0.0.0 = every IGMP netif
  std::memcpy(&request.imr_multiaddr, group.address_bytes().data(), 4);
  if (interface_index > 255) return failure::unknown_interface;  // lwIP numbers netifs in a u8
  if (interface_index != 0) {
    LOCK_TCPIP_CORE();
    const netif* n = netif_get_by_index(static_cast<u8_t>(interface_index));
    if (n != nullptr) request.imr_interface.s_addr = ip4_addr_get_u32(netif_ip4_addr(n));
    UNLOCK_TCPIP_CORE();
    if (n == nullptr) return failure::unknown_interface;
  }
  if (lwip_setsockopt(h.value, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request,
                      sizeof request) != 0)
    return last_error();
  return {};
#else
  (void)h, (void)group, (void)interface_index, (void)join;
  return lwip::error(ENOPROTOOPT);  // LWIP_IGMP is off in this configuration
#endif
}

Status bind_to_device(NativeHandle h, std::string_view interface_name) noexcept {
  ifreq request{};  // lwIP's: the netif's two-letter name and number ("tp0")
  if (interface_name.size() >= sizeof request.ifr_name) return failure::unknown_interface;
  std::memcpy(request.ifr_name, interface_name.data(), interface_name.size());
  if (lwip_setsockopt(h.value, SOL_SOCKET, SO_BINDTODEVICE, &request, sizeof request) != 0)
    return errno == ENODEV ? make_error_code(failure::unknown_interface) : lwip::last_error();
  return {};
}

}  // namespace sockkit::sys
