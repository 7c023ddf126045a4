// SPDX-License-Identifier: MIT
// Data transfer on Linux. Every send carries MSG_NOSIGNAL: a peer that has gone
// gives EPIPE as a value, never a SIGPIPE that kills the process.
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>

#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using posix::last_error;
using posix::retry_eintr;

Result<std::size_t> send(NativeHandle h, const void* data, std::size_t size) noexcept {
  const ssize_t n = retry_eintr([&] { return ::send(h.value, data, size, MSG_NOSIGNAL); });
  if (n < 0) return last_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> send_gather(NativeHandle h,
                                std::span<const std::span<const std::byte>> parts) noexcept {
  std::array<iovec, kMaxGatherParts> iov{};
  const std::size_t count = std::min(parts.size(), iov.size());
  for (std::size_t i = 0; i < count; ++i)
    iov[i] = {const_cast<std::byte*>(parts[i].data()), parts[i].size()};  // sendmsg never writes
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  const ssize_t n = retry_eintr([&] { return ::sendmsg(h.value, &msg, MSG_NOSIGNAL); });
  if (n < 0) return last_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> receive(NativeHandle h, void* data, std::size_t size) noexcept {
  const ssize_t n = retry_eintr([&] { return ::recv(h.value, data, size, 0); });
  if (n < 0) return last_error();
  return static_cast<std::size_t>(n);
}

Result<std::size_t> send_to(NativeHandle h, const void* data, std::size_t size,
                            const Endpoint* to) noexcept {
  posix::SockAddr sa;
  if (to != nullptr) {
    auto converted = posix::to_sockaddr(*to);
    if (!converted) return converted.error();
    sa = *converted;
  }
  const ssize_t n = retry_eintr([&] {
    return ::sendto(h.value, data, size, MSG_NOSIGNAL, to ? sa.get() : nullptr, sa.length);
  });
  if (n < 0) return last_error();
  return static_cast<std::size_t>(n);
}

Result<Datagram> receive_from(NativeHandle h, void* data, std::size_t size) noexcept {
  posix::SockAddr sa;
  iovec iov{data, size};
  msghdr msg{};
  msg.msg_name = &sa.storage;
  msg.msg_namelen = sizeof(sa.storage);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  // MSG_TRUNC makes Linux return the datagram's real length, so truncation is visible.
  const ssize_t n = retry_eintr([&] { return ::recvmsg(h.value, &msg, MSG_TRUNC); });
  if (n < 0) return last_error();
  Datagram d;
  d.full_size = static_cast<std::size_t>(n);
  d.size = std::min(d.full_size, size);
  d.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  if (msg.msg_namelen > 0) {
    auto from = posix::from_sockaddr(sa.get(), msg.msg_namelen);
    if (from) d.from = *from;
  }
  return d;
}

namespace {
constexpr std::size_t kBatchChunk = 32;  // mmsghdr arrays live on the stack, not the heap
}

Result<std::size_t> send_batch(NativeHandle h, std::span<const OutgoingDatagram> batch) noexcept {
  std::size_t sent = 0;
  while (sent < batch.size()) {
    const std::size_t count = std::min(kBatchChunk, batch.size() - sent);
    std::array<mmsghdr, kBatchChunk> msgs{};
    std::array<iovec, kBatchChunk> iovs{};
    std::array<posix::SockAddr, kBatchChunk> addrs{};
    for (std::size_t i = 0; i < count; ++i) {
      const auto& d = batch[sent + i];
      iovs[i] = {const_cast<std::byte*>(d.data.data()), d.data.size()};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      if (d.to != nullptr) {
        auto sa = posix::to_sockaddr(*d.to);
        if (!sa) {
          if (sent + i == 0) return sa.error();
          return sent + i;  // report what went out; the bad entry is next
        }
        addrs[i] = *sa;
        msgs[i].msg_hdr.msg_name = &addrs[i].storage;
        msgs[i].msg_hdr.msg_namelen = addrs[i].length;
      }
    }
    const int n = retry_eintr([&] {
      return ::sendmmsg(h.value, msgs.data(), static_cast<unsigned>(count), MSG_NOSIGNAL);
    });
    if (n < 0) {
      if (sent == 0) return last_error();
      return sent;
    }
    sent += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < count) break;
  }
  return sent;
}

Result<std::size_t> receive_batch(NativeHandle h, std::span<IncomingDatagram> batch) noexcept {
  const std::size_t count = std::min(kBatchChunk, batch.size());
  std::array<mmsghdr, kBatchChunk> msgs{};
  std::array<iovec, kBatchChunk> iovs{};
  std::array<posix::SockAddr, kBatchChunk> addrs{};
  for (std::size_t i = 0; i < count; ++i) {
    iovs[i] = {batch[i].buffer.data(), batch[i].buffer.size()};
    msgs[i].msg_hdr.msg_iov = &iovs[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &addrs[i].storage;
    msgs[i].msg_hdr.msg_namelen = sizeof(addrs[i].storage);
  }
  // MSG_WAITFORONE: block for the first datagram only, then take what is queued.
  const int n = retry_eintr([&] {
    return ::recvmmsg(h.value, msgs.data(), static_cast<unsigned>(count), MSG_WAITFORONE, nullptr);
  });
  if (n < 0) return last_error();
  for (int i = 0; i < n; ++i) {
    auto& out = batch[static_cast<std::size_t>(i)].result;
    const auto& hdr = msgs[static_cast<std::size_t>(i)];
    out = Datagram{};
    out.size = hdr.msg_len;
    out.full_size = hdr.msg_len;
    out.truncated = (hdr.msg_hdr.msg_flags & MSG_TRUNC) != 0;
    if (hdr.msg_hdr.msg_namelen > 0) {
      auto from =
          posix::from_sockaddr(addrs[static_cast<std::size_t>(i)].get(), hdr.msg_hdr.msg_namelen);
      if (from) out.from = *from;
    }
  }
  return static_cast<std::size_t>(n);
}

}  // namespace sockkit::sys
