// SPDX-License-Identifier: MIT
// Data transfer on lwIP. lwIP never raises SIGPIPE; its quirks are normalised:
// writing to a closed peer (ECONNRESET, then ENOTCONN) becomes EPIPE's
// condition, and a second receive after EOF returns EOF again, not ENOTCONN.
#include <algorithm>
#include <array>
#include <cstring>

#include "sys/datagram_loops.hpp"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using lwip::last_error;

namespace {
ErrorCode send_error() noexcept {
  return errno == ENOTCONN ? lwip::error(EPIPE) : last_error();
}
}  // namespace

Result<std::size_t> send(NativeHandle h, const void* data, std::size_t size) noexcept {
  const ssize_t n = lwip_send(h.value, data, size, 0);
  if (n < 0) return send_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> send_gather(NativeHandle h,
                                std::span<const std::span<const std::byte>> parts) noexcept {
  std::array<iovec, kMaxGatherParts> iov{};  // lwIP's own struct iovec
  const std::size_t count = std::min(parts.size(), iov.size());
  for (std::size_t i = 0; i < count; ++i)
    iov[i] = {const_cast<std::byte*>(parts[i].data()), parts[i].size()};  // writev never writes
  const ssize_t n = lwip_writev(h.value, iov.data(), static_cast<int>(count));
  if (n < 0) return send_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> receive(NativeHandle h, void* data, std::size_t size) noexcept {
  const ssize_t n = lwip_recv(h.value, data, size, 0);
  if (n < 0) {
    if (errno == ENOTCONN) return std::size_t{0};  // EOF read again: still EOF
    return last_error();
  }
  return static_cast<std::size_t>(n);
}

Result<std::size_t> send_to(NativeHandle h, const void* data, std::size_t size,
                            const Endpoint* to) noexcept {
  ssize_t n;
  if (to != nullptr) {
    auto sa = lwip::to_sockaddr(*to);
    if (!sa) return sa.error();
    n = lwip_sendto(h.value, data, size, 0, reinterpret_cast<const sockaddr*>(&*sa), sizeof(*sa));
  } else {
    n = lwip_send(h.value, data, size, 0);
  }
  if (n < 0) return send_error();
  return static_cast<std::size_t>(n);
}

Result<Datagram> receive_from(NativeHandle h, void* data, std::size_t size) noexcept {
  sockaddr_in sa{};
  iovec iov{data, size};
  msghdr msg{};
  msg.msg_name = &sa;
  msg.msg_namelen = sizeof sa;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  const ssize_t n = lwip_recvmsg(h.value, &msg, 0);
  if (n < 0) return last_error();
  // lwIP returns the datagram's full length even when it copied less.
  Datagram d;
  d.full_size = static_cast<std::size_t>(n);
  d.size = std::min(d.full_size, size);
  d.truncated = d.full_size > size || (msg.msg_flags & MSG_TRUNC) != 0;
  if (msg.msg_namelen >= sizeof(sockaddr_in)) d.from = lwip::from_sockaddr(sa);
  return d;
}

Result<std::size_t> send_batch(NativeHandle h, std::span<const OutgoingDatagram> batch) noexcept {
  return send_batch_one_by_one(h, batch);
}

Result<std::size_t> receive_batch(NativeHandle h, std::span<IncomingDatagram> batch) noexcept {
  return receive_batch_one_by_one(h, batch);
}

}  // namespace sockkit::sys
