// Socket options on Linux: portable ids to (level, name), values as int.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>

#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using posix::last_error;

namespace {

enum class Shape { integer, millis_timeval, linger_seconds };

struct Native {
  int level = -1;
  int name = -1;
  Shape shape = Shape::integer;
};

Native native_option(Family family, Option option) noexcept {
  const bool v6 = family == Family::ipv6;
  switch (option) {
    case Option::reuse_address:
      return {SOL_SOCKET, SO_REUSEADDR};
    case Option::reuse_port:
      return {SOL_SOCKET, SO_REUSEPORT};
    case Option::keepalive:
      return {SOL_SOCKET, SO_KEEPALIVE};
    case Option::keepalive_idle_s:
      return {IPPROTO_TCP, TCP_KEEPIDLE};
    case Option::keepalive_interval_s:
      return {IPPROTO_TCP, TCP_KEEPINTVL};
    case Option::keepalive_count:
      return {IPPROTO_TCP, TCP_KEEPCNT};
    case Option::no_delay:
      return {IPPROTO_TCP, TCP_NODELAY};
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
      return {SOL_SOCKET, SO_BROADCAST};
    case Option::ipv6_only:
      return {IPPROTO_IPV6, IPV6_V6ONLY};
    case Option::multicast_ttl:
      return v6 ? Native{IPPROTO_IPV6, IPV6_MULTICAST_HOPS} : Native{IPPROTO_IP, IP_MULTICAST_TTL};
    case Option::multicast_loopback:
      return v6 ? Native{IPPROTO_IPV6, IPV6_MULTICAST_LOOP} : Native{IPPROTO_IP, IP_MULTICAST_LOOP};
    case Option::type_of_service:
      return v6 ? Native{IPPROTO_IPV6, IPV6_TCLASS} : Native{IPPROTO_IP, IP_TOS};
  }
  return {};
}

std::error_code not_supported() noexcept {
  return {ENOPROTOOPT, std::system_category()};
}

// IP-level options on a Unix-domain socket reach the kernel as EOPNOTSUPP or
// EINVAL; name them honestly instead.
bool fits_family(Family family, const Native& n) noexcept {
  if (n.level == IPPROTO_TCP || n.level == IPPROTO_IP || n.level == IPPROTO_IPV6)
    return family == Family::ipv4 || family == Family::ipv6;
  return true;
}

}  // namespace

Status set_option(NativeHandle h, Family family, Option option, int value) noexcept {
  const Native n = native_option(family, option);
  if (n.level < 0 || !fits_family(family, n)) return not_supported();
  if (n.level == IPPROTO_IPV6 && family != Family::ipv6) return not_supported();
  int rc = 0;
  switch (n.shape) {
    case Shape::integer:
      rc = ::setsockopt(h.value, n.level, n.name, &value, sizeof(value));
      break;
    case Shape::millis_timeval: {
      timeval tv{value / 1000, (value % 1000) * 1000};
      rc = ::setsockopt(h.value, n.level, n.name, &tv, sizeof(tv));
      break;
    }
    case Shape::linger_seconds: {
      linger l{value >= 0 ? 1 : 0, value >= 0 ? value : 0};
      rc = ::setsockopt(h.value, n.level, n.name, &l, sizeof(l));
      break;
    }
  }
  if (rc != 0) return last_error();
  return {};
}

Result<int> get_option(NativeHandle h, Family family, Option option) noexcept {
  const Native n = native_option(family, option);
  if (n.level < 0 || !fits_family(family, n)) return not_supported();
  if (n.level == IPPROTO_IPV6 && family != Family::ipv6) return not_supported();
  switch (n.shape) {
    case Shape::integer: {
      int value = 0;
      socklen_t len = sizeof(value);
      // IP_MULTICAST_TTL/LOOP may answer with a single byte.
      if (::getsockopt(h.value, n.level, n.name, &value, &len) != 0) return last_error();
      if (len == 1) value = static_cast<unsigned char>(value & 0xff);
      return value;
    }
    case Shape::millis_timeval: {
      timeval tv{};
      socklen_t len = sizeof(tv);
      if (::getsockopt(h.value, n.level, n.name, &tv, &len) != 0) return last_error();
      return static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
    }
    case Shape::linger_seconds: {
      linger l{};
      socklen_t len = sizeof(l);
      if (::getsockopt(h.value, n.level, n.name, &l, &len) != 0) return last_error();
      return l.l_onoff ? l.l_linger : -1;
    }
  }
  return not_supported();
}

std::error_code take_pending_error(NativeHandle h) noexcept {
  int value = 0;
  socklen_t len = sizeof(value);
  if (::getsockopt(h.value, SOL_SOCKET, SO_ERROR, &value, &len) != 0) return last_error();
  if (value == 0) return {};
  return {value, std::system_category()};
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

}  // namespace sockkit::sys
