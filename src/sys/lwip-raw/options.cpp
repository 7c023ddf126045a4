// SPDX-License-Identifier: MIT
// Socket options on the bare-metal stack: set on the PCB where lwIP has the
// setting, kept in the socket record where sockkit implements it (timeouts of
// blocking calls, linger); what neither has is ENOPROTOOPT, never a silent success.
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using raw::error;

namespace {

ip_pcb* ip_of(raw::Socket& s) noexcept {
  if (s.tcp != nullptr) return reinterpret_cast<ip_pcb*>(s.tcp);
  if (s.udp != nullptr) return reinterpret_cast<ip_pcb*>(s.udp);
  return nullptr;
}

// A TCP option on a datagram socket is not supported; on a listener or a
// closed connection the socket is the wrong one for it.
ErrorCode not_tcp(const raw::Socket& s) noexcept {
  return error(s.kind == raw::Kind::udp ? ENOPROTOOPT : EINVAL);
}

// Keepalive times on lwIP's PCB are milliseconds.
u32_t seconds_to_ms(int value) noexcept {
  return static_cast<u32_t>(value) * 1000u;
}

}  // namespace

Status set_option(NativeHandle h, Family, Option option, int value) noexcept {
  raw::StackGuard guard;
  raw::Socket* s = raw::find(h.value);
  if (s == nullptr) return error(EBADF);
  ip_pcb* ip = ip_of(*s);
  tcp_pcb* tcp = s->kind == raw::Kind::tcp ? s->tcp : nullptr;
  auto set_flag = [&](u8_t flag) -> Status {
    if (ip == nullptr) return error(EINVAL);
    if (value != 0)
      ip_set_option(ip, flag);
    else
      ip_reset_option(ip, flag);
    return {};
  };
  switch (option) {
    case Option::reuse_address:
      return set_flag(SOF_REUSEADDR);
    case Option::keepalive:
      return set_flag(SOF_KEEPALIVE);
    case Option::broadcast:
      return set_flag(SOF_BROADCAST);
    case Option::keepalive_idle_s:
      if (tcp == nullptr) return not_tcp(*s);
      if (value <= 0) return error(EINVAL);
      tcp->keep_idle = seconds_to_ms(value);
      return {};
    case Option::keepalive_interval_s:
      if (tcp == nullptr) return not_tcp(*s);
      if (value <= 0) return error(EINVAL);
      tcp->keep_intvl = seconds_to_ms(value);
      return {};
    case Option::keepalive_count:
      if (tcp == nullptr) return not_tcp(*s);
      if (value <= 0) return error(EINVAL);
      tcp->keep_cnt = static_cast<u32_t>(value);
      return {};
    case Option::no_delay:
      if (tcp == nullptr) return not_tcp(*s);
      if (value != 0)
        tcp_nagle_disable(tcp);
      else
        tcp_nagle_enable(tcp);
      return {};
    case Option::receive_timeout_ms:
      s->receive_timeout_ms = value < 0 ? 0 : value;
      return {};
    case Option::send_timeout_ms:
      s->send_timeout_ms = value < 0 ? 0 : value;
      return {};
    case Option::linger_s:
      s->linger_s = value;
      return {};
    case Option::type_of_service:
      if (ip == nullptr) return error(EINVAL);
      ip->tos = static_cast<u8_t>(value);
      return {};
    case Option::receive_buffer:
      // What the socket holds unread (lwIP holds the rest back); the window
      // itself is TCP_WND, fixed when lwIP is built.
      if (value <= 0) return error(EINVAL);
      s->receive_buffer = value;
      return {};
#if LWIP_MULTICAST_TX_OPTIONS
    case Option::multicast_ttl:
      if (s->udp == nullptr) return error(ENOPROTOOPT);  // as lwIP's sockets: UDP only
      if (value < 0 || value > 255) return error(EINVAL);
      udp_set_multicast_ttl(s->udp, static_cast<u8_t>(value));
      return {};
    case Option::multicast_loopback:
      if (s->udp == nullptr) return error(ENOPROTOOPT);
      if (value != 0)
        udp_set_flags(s->udp, UDP_FLAGS_MULTICAST_LOOP);
      else
        udp_clear_flags(s->udp, UDP_FLAGS_MULTICAST_LOOP);
      return {};
#else
    case Option::multicast_ttl:
    case Option::multicast_loopback:
#endif
    case Option::send_buffer:  // TCP_SND_BUF, fixed when lwIP is built
    case Option::reuse_port:
    case Option::user_timeout_ms:
    case Option::ipv6_only:
      break;
  }
  return error(ENOPROTOOPT);
}

Result<int> get_option(NativeHandle h, Family, Option option) noexcept {
  raw::StackGuard guard;
  raw::Socket* s = raw::find(h.value);
  if (s == nullptr) return error(EBADF);
  ip_pcb* ip = ip_of(*s);
  tcp_pcb* tcp = s->kind == raw::Kind::tcp ? s->tcp : nullptr;
  auto flag = [&](u8_t f) -> Result<int> {
    if (ip == nullptr) return error(EINVAL);
    return ip_get_option(ip, f) ? 1 : 0;
  };
  switch (option) {
    case Option::reuse_address:
      return flag(SOF_REUSEADDR);
    case Option::keepalive:
      return flag(SOF_KEEPALIVE);
    case Option::broadcast:
      return flag(SOF_BROADCAST);
    case Option::keepalive_idle_s:
      if (tcp == nullptr) return not_tcp(*s);
      return static_cast<int>(tcp->keep_idle / 1000);
    case Option::keepalive_interval_s:
      if (tcp == nullptr) return not_tcp(*s);
      return static_cast<int>(tcp->keep_intvl / 1000);
    case Option::keepalive_count:
      if (tcp == nullptr) return not_tcp(*s);
      return static_cast<int>(tcp->keep_cnt);
    case Option::no_delay:
      if (tcp == nullptr) return not_tcp(*s);
      return tcp_nagle_disabled(tcp) ? 1 : 0;
    case Option::receive_timeout_ms:
      return s->receive_timeout_ms;
    case Option::send_timeout_ms:
      return s->send_timeout_ms;
    case Option::linger_s:
      return s->linger_s;
    case Option::type_of_service:
      if (ip == nullptr) return error(EINVAL);
      return static_cast<int>(ip->tos);
    case Option::receive_buffer:
      return s->receive_buffer;
#if LWIP_MULTICAST_TX_OPTIONS
    case Option::multicast_ttl:
      if (s->udp == nullptr) return error(ENOPROTOOPT);
      return static_cast<int>(udp_get_multicast_ttl(s->udp));
    case Option::multicast_loopback:
      if (s->udp == nullptr) return error(ENOPROTOOPT);
      return udp_is_flag_set(s->udp, UDP_FLAGS_MULTICAST_LOOP) ? 1 : 0;
#else
    case Option::multicast_ttl:
    case Option::multicast_loopback:
#endif
    case Option::send_buffer:
    case Option::reuse_port:
    case Option::user_timeout_ms:
    case Option::ipv6_only:
      break;
  }
  return error(ENOPROTOOPT);
}

Status bind_to_device(NativeHandle h, std::string_view interface_name) noexcept {
  raw::StackGuard guard;
  raw::Socket* s = raw::find(h.value);
  if (s == nullptr) return error(EBADF);
  ip_pcb* ip = ip_of(*s);
  if (ip == nullptr) return error(EINVAL);
  if (interface_name.empty()) {
    ip->netif_idx = NETIF_NO_INDEX;
    return {};
  }
  if (interface_name.size() >= NETIF_NAMESIZE) return failure::unknown_interface;
  char name[NETIF_NAMESIZE] = {};
  interface_name.copy(name, interface_name.size());
  netif* n = netif_find(name);
  if (n == nullptr) return failure::unknown_interface;
  ip->netif_idx = netif_get_index(n);
  return {};
}

}  // namespace sockkit::sys
