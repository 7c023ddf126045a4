// SPDX-License-Identifier: MIT
// Socket options on Linux: portable ids to (level, name), values as int.
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>

#include "sys/option_shapes.hpp"
#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using posix::last_error;

namespace {

NativeOption native_option(Family family, Option option) noexcept {
  const bool v6 = family == Family::ipv6;
  switch (option) {
    case Option::reuse_address:
      return {SOL_SOCKET, SO_REUSEADDR, Shape::flag};
    case Option::reuse_port:
      return {SOL_SOCKET, SO_REUSEPORT, Shape::flag};
    case Option::keepalive:
      return {SOL_SOCKET, SO_KEEPALIVE, Shape::flag};
    case Option::keepalive_idle_s:
      return {IPPROTO_TCP, TCP_KEEPIDLE};
    case Option::keepalive_interval_s:
      return {IPPROTO_TCP, TCP_KEEPINTVL};
    case Option::keepalive_count:
      return {IPPROTO_TCP, TCP_KEEPCNT};
    case Option::no_delay:
      return {IPPROTO_TCP, TCP_NODELAY, Shape::flag};
    case Option::user_timeout_ms:
      return {IPPROTO_TCP, TCP_USER_TIMEOUT};
    case Option::receive_timeout_ms:
      return {SOL_SOCKET, SO_RCVTIMEO, Shape::millis_timeval};
    case Option::send_timeout_ms:
      return {SOL_SOCKET, SO_SNDTIMEO, Shape::millis_timeval};
    case Option::receive_buffer:
      return {SOL_SOCKET, SO_RCVBUF};
    case Option::send_buffer:
      return {SOL_SOCKET, SO_SNDBUF};
    case Option::linger_s:
      return {SOL_SOCKET, SO_LINGER, Shape::linger_seconds};
    case Option::broadcast:
      return {SOL_SOCKET, SO_BROADCAST, Shape::flag};
    case Option::ipv6_only:
      return {IPPROTO_IPV6, IPV6_V6ONLY, Shape::flag};
    case Option::multicast_ttl:
      return v6 ? NativeOption{IPPROTO_IPV6, IPV6_MULTICAST_HOPS}
                : NativeOption{IPPROTO_IP, IP_MULTICAST_TTL};
    case Option::multicast_loopback:
      return v6 ? NativeOption{IPPROTO_IPV6, IPV6_MULTICAST_LOOP, Shape::flag}
                : NativeOption{IPPROTO_IP, IP_MULTICAST_LOOP, Shape::flag};
    case Option::type_of_service:
      return v6 ? NativeOption{IPPROTO_IPV6, IPV6_TCLASS} : NativeOption{IPPROTO_IP, IP_TOS};
  }
  return {};
}

ErrorCode not_supported() noexcept {
  return make_host_error(ENOPROTOOPT);
}

// IP-level options on a Unix-domain socket reach the kernel as EOPNOTSUPP or
// EINVAL; name them honestly instead.
bool fits_family(Family family, const NativeOption& n) noexcept {
  if (n.level == IPPROTO_TCP || n.level == IPPROTO_IP || n.level == IPPROTO_IPV6)
    return family == Family::ipv4 || family == Family::ipv6;
  return true;
}

}  // namespace

Status set_option(NativeHandle h, Family family, Option option, int value) noexcept {
  const NativeOption n = native_option(family, option);
  if (n.level < 0 || !fits_family(family, n)) return not_supported();
  if (n.level == IPPROTO_IPV6 && family != Family::ipv6) return not_supported();
  auto set = [&](int level, int name, const void* p, socklen_t len) {
    return ::setsockopt(h.value, level, name, p, len);
  };
  if (set_shaped(set, n, value) != 0) return last_error();
  return {};
}

Result<int> get_option(NativeHandle h, Family family, Option option) noexcept {
  const NativeOption n = native_option(family, option);
  if (n.level < 0 || !fits_family(family, n)) return not_supported();
  if (n.level == IPPROTO_IPV6 && family != Family::ipv6) return not_supported();
  auto get = [&](int level, int name, void* p, socklen_t* len) {
    return ::getsockopt(h.value, level, name, p, len);
  };
  int value = 0;
  if (get_shaped(get, n, value) != 0) return last_error();
  return value;
}

ErrorCode take_pending_error(NativeHandle h) noexcept {
  int value = 0;
  socklen_t len = sizeof(value);
  if (::getsockopt(h.value, SOL_SOCKET, SO_ERROR, &value, &len) != 0) return last_error();
  if (value == 0) return {};
  return make_host_error(value);
}

Status multicast_membership(NativeHandle h, const Endpoint& group, std::uint32_t interface_index,
                            bool join) noexcept {
  if (group.family() == Family::ipv4) {
    ip_mreqn req{};
    std::memcpy(&req.imr_multiaddr, group.address_bytes().data(), 4);
    req.imr_ifindex = static_cast<int>(interface_index);
    const int name = join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP;
    if (::setsockopt(h.value, IPPROTO_IP, name, &req, sizeof(req)) != 0) return last_error();
    return {};
  }
  if (group.family() == Family::ipv6) {
    ipv6_mreq req{};
    std::memcpy(&req.ipv6mr_multiaddr, group.address_bytes().data(), 16);
    req.ipv6mr_interface = interface_index;
    const int name = join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP;
    if (::setsockopt(h.value, IPPROTO_IPV6, name, &req, sizeof(req)) != 0) return last_error();
    return {};
  }
  return failure::wrong_family;
}

Status bind_to_device(NativeHandle h, std::string_view interface_name) noexcept {
  char name[IFNAMSIZ] = {};
  if (interface_name.size() >= sizeof name) return failure::unknown_interface;
  std::memcpy(name, interface_name.data(), interface_name.size());
  if (::setsockopt(h.value, SOL_SOCKET, SO_BINDTODEVICE, name,
                   static_cast<socklen_t>(interface_name.size())) != 0)
    return errno == ENODEV ? make_error_code(failure::unknown_interface) : last_error();
  return {};
}

}  // namespace sockkit::sys
