// SPDX-License-Identifier: MIT
// Socket lifecycle on lwIP, normalised to what sockkit promises on Linux.
#include <chrono>

#include "lwip/api.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using lwip::last_error;

Status stack_ready() noexcept {
  if (!lwip::running()) return failure::stack_not_started;
  return {};
}

Result<NativeHandle> open(Family family, SocketType type) noexcept {
  if (!lwip::running()) return failure::stack_not_started;
  if (family != Family::ipv4) return lwip::error(EAFNOSUPPORT);
  const int fd = lwip_socket(AF_INET, type == SocketType::stream ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) {
    // Out of netconns is ENOBUFS on lwIP, EMFILE on Linux: one condition for both.
    if (errno == ENOBUFS || errno == ENFILE) return lwip::error(EMFILE);
    // A peer that reset while queued: lwIP still hands the connection out and
    // fails on its address (ENOTCONN) or its error (ECONNRESET). Linux says
    // ECONNABORTED or returns it, and either way it is not the listener's fault.
    if (errno == ENOTCONN || errno == ECONNRESET) return lwip::error(ECONNABORTED);
    return last_error();
  }
  return NativeHandle{fd};  // no exec() on a device: close-on-exec has no meaning here
}

Status close(NativeHandle h) noexcept {
  if (lwip_close(h.value) != 0) return last_error();
  return {};
}

Status set_nonblocking(NativeHandle h, bool on) noexcept {
  const int flags = lwip_fcntl(h.value, F_GETFL, 0);
  if (flags < 0) return last_error();
  if (lwip_fcntl(h.value, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK)) != 0)
    return last_error();
  return {};
}

namespace {
// lwIP binds to any address; Linux refuses one no interface has (EADDRNOTAVAIL).
bool is_local_address(const sockaddr_in& sa) noexcept {
  ip4_addr_t want;
  inet_addr_to_ip4addr(&want, &sa.sin_addr);
  if (ip4_addr_isany_val(want) || ip4_addr_ismulticast(&want)) return true;
  bool found = false;
  LOCK_TCPIP_CORE();
  netif* n;
  NETIF_FOREACH(n) {
    if (ip4_addr_cmp(netif_ip4_addr(n), &want) || ip4_addr_isbroadcast(&want, n)) found = true;
  }
  UNLOCK_TCPIP_CORE();
  return found;
}
}  // namespace

Status bind(NativeHandle h, const Endpoint& at) noexcept {
  auto sa = lwip::to_sockaddr(at);
  if (!sa) return sa.error();
  if (!is_local_address(*sa)) return lwip::error(EADDRNOTAVAIL);
  if (lwip_bind(h.value, reinterpret_cast<const sockaddr*>(&*sa), sizeof(*sa)) != 0)
    return last_error();
  return {};
}

Status listen(NativeHandle h, int backlog) noexcept {
  if (lwip_listen(h.value, backlog) != 0) return last_error();
  return {};
}

Status remove_socket_file(const Endpoint&) noexcept {
  return {};
}  // no Unix domain on lwIP

Result<NativeHandle> accept(NativeHandle h, Endpoint* peer) noexcept {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  const int fd = lwip_accept(h.value, reinterpret_cast<sockaddr*>(&sa), &len);
  if (fd < 0) {
    if (errno == ENOBUFS || errno == ENFILE) return lwip::error(EMFILE);
    // A peer that reset while queued: lwIP still hands the connection out and
    // fails on its address (ENOTCONN) or its error (ECONNRESET). Linux says
    // ECONNABORTED or returns it, and either way it is not the listener's fault.
    if (errno == ENOTCONN || errno == ECONNRESET) return lwip::error(ECONNABORTED);
    return last_error();
  }
  if (peer != nullptr) *peer = lwip::from_sockaddr(sa);
  return NativeHandle{fd};
}

Status connect(NativeHandle h, const Endpoint& to) noexcept {
  auto sa = lwip::to_sockaddr(to);
  if (!sa) return sa.error();
  if (lwip_connect(h.value, reinterpret_cast<const sockaddr*>(&*sa), sizeof(*sa)) == 0) return {};
  // lwIP reports a refused connection as ECONNRESET; Linux as ECONNREFUSED.
  if (errno == ECONNRESET) return lwip::error(ECONNREFUSED);
  return last_error();
}

Status shutdown(NativeHandle h, Shutdown how) noexcept {
  const int native = how == Shutdown::read ? SHUT_RD : how == Shutdown::write ? SHUT_WR : SHUT_RDWR;
  if (lwip_shutdown(h.value, native) != 0) return last_error();
  return {};
}

Result<Endpoint> local_endpoint(NativeHandle h) noexcept {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (lwip_getsockname(h.value, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return last_error();
  return lwip::from_sockaddr(sa);
}

Result<Endpoint> peer_endpoint(NativeHandle h) noexcept {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  if (lwip_getpeername(h.value, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return last_error();
  return lwip::from_sockaddr(sa);
}

ErrorCode take_pending_error(NativeHandle h) noexcept {
  int value = 0;
  socklen_t len = sizeof value;
  if (lwip_getsockopt(h.value, SOL_SOCKET, SO_ERROR, &value, &len) != 0) return last_error();
  if (value == 0) return {};
  // A non-blocking connect that was refused surfaces as ECONNRESET before the
  // socket ever had a peer: that is a refusal, as on Linux.
  if (value == ECONNRESET) {
    sockaddr_in sa{};
    socklen_t sl = sizeof sa;
    if (lwip_getpeername(h.value, reinterpret_cast<sockaddr*>(&sa), &sl) != 0)
      return lwip::error(ECONNREFUSED);
  }
  return lwip::error(value);
}

Result<unsigned> wait(NativeHandle h, unsigned events, int timeout_ms) noexcept {
  PollEntry e{h, static_cast<std::uint16_t>(events), 0};
  auto n = poll({&e, 1}, timeout_ms);
  if (!n) return n.error();
  if (e.revents & kInvalid) return lwip::error(EBADF);
  return static_cast<unsigned>(e.revents);
}

}  // namespace sockkit::sys
