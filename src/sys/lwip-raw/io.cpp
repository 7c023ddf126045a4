// SPDX-License-Identifier: MIT
// Data transfer over lwIP's raw API. Reads take the pbufs lwIP delivered —
// lent to a connection's handler in place (received()), or copied out — and
// open the window by what was read; writes copy into lwIP's send
// buffer as far as it has room. Every call runs the stack once first, as a
// kernel would have run meanwhile; blocking calls run it until done.
#include <algorithm>
#include <cstring>
#include <utility>

#include "sys/datagram_loops.hpp"
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using raw::error;
using raw::find;
using raw::Kind;
using raw::Socket;
using raw::StackGuard;

namespace {

int timeout_of(int option_ms) noexcept {
  return option_ms > 0 ? option_ms : -1;
}

// Why a TCP socket cannot take bytes now, or 0 if it can.
int cannot_send(Socket& s) noexcept {
  if (s.kind != Kind::tcp) return EINVAL;
  if (s.write_shut) return EPIPE;
  if (s.tcp == nullptr) {
    if (s.pending_error != 0) return std::exchange(s.pending_error, 0);
    return s.connected ? EPIPE : ENOTCONN;
  }
  if (!s.connected) return s.connecting ? EWOULDBLOCK : ENOTCONN;
  return 0;
}

// Queues as much of `data` as lwIP's send buffer takes now.
std::size_t write_some(Socket& s, const std::byte* data, std::size_t size, bool more) noexcept {
  std::size_t room = std::min<std::size_t>(size, tcp_sndbuf(s.tcp));
  room = std::min<std::size_t>(room, 0xffff);
  while (room > 0) {
    const u8_t flags = TCP_WRITE_FLAG_COPY | (more || room < size ? TCP_WRITE_FLAG_MORE : 0);
    if (tcp_write(s.tcp, data, static_cast<u16_t>(room), flags) == ERR_OK) return room;
    room /= 2;  // out of segments for this much: try less
  }
  return 0;
}

Result<std::size_t> send_parts(StackGuard& guard, NativeHandle h,
                               std::span<const std::span<const std::byte>> parts) {
  raw::pump();  // what the peer said meanwhile (a reset, an ACK) counts before writing
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  std::size_t total = 0;
  for (const auto& part : parts)
    total += part.size();
  std::size_t sent = 0, part = 0, offset = 0;
  while (sent < total) {
    if (const int why = cannot_send(*s); why != 0) {
      if (sent > 0) break;
      return error(why);
    }
    const auto& p = parts[part];
    const std::size_t n =
        write_some(*s, p.data() + offset, p.size() - offset, part + 1 < parts.size());
    sent += n;
    offset += n;
    if (offset == p.size()) {
      ++part;
      offset = 0;
      continue;
    }
    if (n > 0) continue;
    tcp_output(s->tcp);
    if (s->nonblocking) break;
    // A blocking send waits for room, as a kernel's does, until SO_SNDTIMEO.
    const bool room = raw::wait_until(
        guard, h.value, [](const Socket& x) { return (raw::readiness(x) & kWritable) != 0; },
        timeout_of(s->send_timeout_ms));
    s = find(h.value);
    if (s == nullptr) return error(EBADF);
    if (!room) break;
  }
  if (s->tcp != nullptr && sent > 0) tcp_output(s->tcp);
  if (sent == 0 && total > 0) return error(EWOULDBLOCK);
  raw::note_activity();
  return sent;
}

// The unread bytes of the first queued pbuf.
std::span<const std::byte> first_queued(const Socket& s) noexcept {
  const pbuf* head = s.received;
  return {static_cast<const std::byte*>(head->payload) + s.received_offset,
          static_cast<std::size_t>(head->len - s.received_offset)};
}

// Drops `count` read bytes from the front of the queue, freeing emptied pbufs,
// and opens the window by as much: only now may the peer send more.
void consume_queued(Socket& s, std::size_t count) noexcept {
  s.lent = 0;
  for (std::size_t left = count; left > 0 && s.received != nullptr;) {
    pbuf* head = s.received;
    const std::size_t here = std::min<std::size_t>(left, head->len - s.received_offset);
    s.received_offset = static_cast<std::uint16_t>(s.received_offset + here);
    left -= here;
    if (s.received_offset == head->len) {
      // Free the head alone: the rest of the chain keeps a reference of its own.
      pbuf* rest = head->next;
      if (rest != nullptr) pbuf_ref(rest);
      pbuf_free(head);
      s.received = rest;
      s.received_offset = 0;
    }
  }
  for (std::size_t left = count; left > 0 && s.tcp != nullptr;) {
    const auto n = static_cast<u16_t>(std::min<std::size_t>(left, 0xffff));
    tcp_recved(s.tcp, n);
    left -= n;
  }
}

// Copies up to `size` queued bytes out and consumes them.
std::size_t read_queued(Socket& s, std::byte* out, std::size_t size) noexcept {
  std::size_t copied = 0;
  while (s.received != nullptr && copied < size) {
    const auto first = first_queued(s);
    const std::size_t here = std::min(size - copied, first.size());
    std::memcpy(out + copied, first.data(), here);
    copied += here;
    consume_queued(s, here);
  }
  return copied;
}

}  // namespace

Result<std::size_t> send(NativeHandle h, const void* data, std::size_t size) noexcept {
  const std::span<const std::byte> part{static_cast<const std::byte*>(data), size};
  StackGuard guard;
  return send_parts(guard, h, {&part, 1});
}

Result<std::size_t> send_gather(NativeHandle h,
                                std::span<const std::span<const std::byte>> parts) noexcept {
  StackGuard guard;
  return send_parts(guard, h, parts.first(std::min(parts.size(), kMaxGatherParts)));
}

Result<std::size_t> receive(NativeHandle h, void* data, std::size_t size) noexcept {
  StackGuard guard;
  raw::pump();
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind != Kind::tcp) return error(s->kind == Kind::udp ? EOPNOTSUPP : EINVAL);
  for (;;) {
    if (s->received != nullptr) {
      const std::size_t n = read_queued(*s, static_cast<std::byte*>(data), size);
      if (n > 0) raw::note_activity();
      return n;
    }
    if (s->pending_error != 0) return error(std::exchange(s->pending_error, 0));
    if (s->peer_closed || (s->tcp == nullptr && s->connected)) return std::size_t{0};
    if (!s->connected && !s->connecting) return error(ENOTCONN);
    if (s->nonblocking) return error(EWOULDBLOCK);
    const bool ready = raw::wait_until(
        guard, h.value, [](const Socket& x) { return (raw::readiness(x) & kReadable) != 0; },
        timeout_of(s->receive_timeout_ms));
    s = find(h.value);
    if (s == nullptr) return error(EBADF);
    if (!ready) return error(EWOULDBLOCK);  // SO_RCVTIMEO passed
  }
}

Result<std::span<const std::byte>> received(NativeHandle h) noexcept {
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  // What is queued is read before the stack runs again: an answer to it (a
  // reset from a peer that has closed) must not overtake it.
  if (s->received == nullptr) {
    raw::pump();
    s = find(h.value);
    if (s == nullptr) return error(EBADF);
  }
  if (s->kind != Kind::tcp) return error(EINVAL);
  if (s->received != nullptr) {  // lwIP's own bytes: no copy
    const auto first = first_queued(*s);
    s->lent = static_cast<std::uint16_t>(first.size());
    return first;
  }
  if (s->pending_error != 0) return error(std::exchange(s->pending_error, 0));
  if (s->peer_closed || (s->tcp == nullptr && s->connected)) return std::span<const std::byte>{};
  return error(EWOULDBLOCK);
}

void consume_received(NativeHandle h, std::size_t count) noexcept {
  StackGuard guard;
  if (Socket* s = find(h.value); s != nullptr && s->kind == Kind::tcp) {
    consume_queued(*s, count);
    raw::note_activity();
  }
}

Result<std::size_t> send_to(NativeHandle h, const void* data, std::size_t size,
                            const Endpoint* to) noexcept {
  ip_addr_t address{};
  if (to != nullptr) {
    auto a = raw::to_address(*to);
    if (!a) return a.error();
    address = *a;
  }
  StackGuard guard;
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind == Kind::tcp) {  // a stream's peer is fixed: the address is ignored, as on Linux
    const std::span<const std::byte> part{static_cast<const std::byte*>(data), size};
    return send_parts(guard, h, {&part, 1});
  }
  if (s->kind != Kind::udp) return error(EINVAL);
  if (size > 0xffff - 8 - 20) return error(EMSGSIZE);
  if (to == nullptr && (s->udp->flags & UDP_FLAGS_CONNECTED) == 0) return error(EDESTADDRREQ);
  pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(size), PBUF_RAM);
  if (p == nullptr) return error(ENOBUFS);
  if (size > 0) std::memcpy(p->payload, data, size);
  const err_t err =
      to != nullptr ? udp_sendto(s->udp, p, &address, to->port()) : udp_send(s->udp, p);
  pbuf_free(p);
  raw::note_activity();
  if (err != ERR_OK) return error(raw::errno_of(err));
  return size;
}

Result<Datagram> receive_from(NativeHandle h, void* data, std::size_t size) noexcept {
  StackGuard guard;
  raw::pump();
  Socket* s = find(h.value);
  if (s == nullptr) return error(EBADF);
  if (s->kind != Kind::udp) return error(EINVAL);
  if (s->datagram_count == 0) {
    if (s->nonblocking) return error(EWOULDBLOCK);
    const bool ready = raw::wait_until(
        guard, h.value, [](const Socket& x) { return x.datagram_count > 0; },
        timeout_of(s->receive_timeout_ms));
    s = find(h.value);
    if (s == nullptr) return error(EBADF);
    if (!ready) return error(EWOULDBLOCK);
  }
  auto& slot = s->datagrams[s->datagram_head];
  Datagram d;
  d.full_size = slot.packet->tot_len;
  d.size = pbuf_copy_partial(slot.packet, data,
                             static_cast<u16_t>(std::min<std::size_t>(size, 0xffff)), 0);
  d.truncated = d.full_size > size;
  d.from = raw::from_address(slot.from, slot.port);
  pbuf_free(slot.packet);
  slot = raw::QueuedDatagram{};
  s->datagram_head = static_cast<std::uint8_t>((s->datagram_head + 1) % raw::kDatagramQueue);
  --s->datagram_count;
  return d;
}

Result<std::size_t> send_batch(NativeHandle h, std::span<const OutgoingDatagram> batch) noexcept {
  return send_batch_one_by_one(h, batch);
}

Result<std::size_t> receive_batch(NativeHandle h, std::span<IncomingDatagram> batch) noexcept {
  return receive_batch_one_by_one(h, batch);
}

}  // namespace sockkit::sys
