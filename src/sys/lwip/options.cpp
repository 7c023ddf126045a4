// Socket options on lwIP: what it lacks is not_supported (ENOPROTOOPT), never a silent success.
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using lwip::last_error;

namespace {

enum class Shape { integer, millis_timeval, linger_seconds, flag };

struct Native {
  int level = -1;
  int name = -1;
  Shape shape = Shape::integer;
};

Native native_option(Option option) noexcept {
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
    // Not in lwIP 2.1 (or off in sockkit's profiles): reported as not supported.
    case Option::reuse_port:
    case Option::send_buffer:
    case Option::user_timeout_ms:
    case Option::ipv6_only:
    case Option::multicast_ttl:
    case Option::multicast_loopback:
      break;
  }
  return {};
}

}  // namespace

Status set_option(NativeHandle h, Family, Option option, int value) noexcept {
  const Native n = native_option(option);
  if (n.level < 0) return lwip::error(ENOPROTOOPT);
  int rc = 0;
  switch (n.shape) {
    case Shape::integer:
    case Shape::flag:
      rc = lwip_setsockopt(h.value, n.level, n.name, &value, sizeof value);
      break;
    case Shape::millis_timeval: {
      timeval tv{value / 1000, (value % 1000) * 1000};
      rc = lwip_setsockopt(h.value, n.level, n.name, &tv, sizeof tv);
      break;
    }
    case Shape::linger_seconds: {
      linger l{value >= 0 ? 1 : 0, value >= 0 ? value : 0};
      rc = lwip_setsockopt(h.value, n.level, n.name, &l, sizeof l);
      break;
    }
  }
  if (rc != 0) return last_error();
  return {};
}

Result<int> get_option(NativeHandle h, Family, Option option) noexcept {
  const Native n = native_option(option);
  if (n.level < 0) return lwip::error(ENOPROTOOPT);
  switch (n.shape) {
    case Shape::integer:
    case Shape::flag: {
      int value = 0;
      socklen_t len = sizeof value;
      if (lwip_getsockopt(h.value, n.level, n.name, &value, &len) != 0) return last_error();
      return n.shape == Shape::flag ? (value != 0 ? 1 : 0) : value;  // lwIP answers with flag bits
    }
    case Shape::millis_timeval: {
      timeval tv{};
      socklen_t len = sizeof tv;
      if (lwip_getsockopt(h.value, n.level, n.name, &tv, &len) != 0) return last_error();
      return static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
    }
    case Shape::linger_seconds: {
      linger l{};
      socklen_t len = sizeof l;
      if (lwip_getsockopt(h.value, n.level, n.name, &l, &len) != 0) return last_error();
      return l.l_onoff ? l.l_linger : -1;
    }
  }
  return lwip::error(ENOPROTOOPT);
}

Status multicast_membership(NativeHandle, const Endpoint&, std::uint32_t, bool) noexcept {
  return lwip::error(ENOPROTOOPT);  // LWIP_IGMP is off in sockkit's profiles
}

}  // namespace sockkit::sys
