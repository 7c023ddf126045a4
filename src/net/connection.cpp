// SPDX-License-Identifier: MIT
// Connection: the read and write state machine of one buffered connection.
//
// Reads go into the group's scratch buffer; only bytes the handler leaves
// unconsumed are copied into a pooled chunk. Writes go straight to the socket;
// only what does not fit is queued. A wake-up reads until the socket is
// drained or the connection's read budget is spent; in edge-triggered mode a
// spent budget requeues the connection with the loop, or the rest would be
// stranded (two messages back to back, the second never reported).
//
// Bytes cross through the transport: the socket itself, or a session (TLS, a
// WebSocket, or a WebSocket over TLS) whose handshake runs first (on_open
// waits for it) and whose decrypted or unframed bytes no poller can see (a
// spent budget or a resumed reader requeues the connection).
#include <algorithm>
#include <cstring>
#include <new>

#include "net/connection_slot.hpp"
#include "net/group.hpp"
#include "transport/transport.hpp"

namespace sockkit {
using namespace net;

[[gnu::always_inline]] inline Group& ConnectionSlot::group() const noexcept {
  return *Slab::header_of(this).group;
}
Connection::Id ConnectionSlot::id() const noexcept {
  return Id{generation_} << 32 | Slab::slot_of(this);
}

bool ConnectionSlot::is_open() const noexcept {
  return flags_ & kOpen;
}

std::size_t ConnectionSlot::queued_bytes() const noexcept {
  const Chunk* queue = out();
  return queue != nullptr ? queue->total : 0;
}

ConnectionSlot::Extras* ConnectionSlot::extras() noexcept {
  if (extras_ == nullptr) extras_ = new (std::nothrow) Extras;
  return extras_;
}

void ConnectionSlot::trim_extras() noexcept {
  if (extras_ == nullptr || extras_->out != nullptr || extras_->in != nullptr ||
      extras_->layer != nullptr)
    return;
  delete extras_;
  extras_ = nullptr;
}

void ConnectionSlot::release_input() noexcept {
  if (extras_ == nullptr || extras_->in == nullptr) return;
  group().pool.release(extras_->in);
  extras_->in = nullptr;
  trim_extras();
}

Result<Endpoint> ConnectionSlot::peer() const noexcept {
  if (!(flags_ & kOpen)) return make_error(std::errc::not_connected);
  return transport::peer(handle_);
}

Result<Endpoint> ConnectionSlot::local() const noexcept {
  if (!(flags_ & kOpen)) return make_error(std::errc::not_connected);
  return transport::local(handle_);
}

Result<TlsInfo> ConnectionSlot::tls_info() const {
  const SessionState* layered = layer();
  if (layered == nullptr || !layered->session->is_tls())
    return make_error(std::errc::not_supported);
  return layered->session->info();
}

// The read path's helpers are used only here: inlined into on_readable, the
// loop's hottest function (a call each costs more than their bodies).
[[gnu::always_inline]] inline Result<std::size_t> ConnectionSlot::read_some(
    std::span<std::byte> into) noexcept {
  if (flags_ & kLoopReceives) {  // behind bytes kept from before: copied after them
    EventLoop& loop = group().loop;
    auto got = transport::lent(loop, handle_);
    if (!got) return got.error();
    const std::size_t n = std::min(into.size(), got->size());
    std::memcpy(into.data(), got->data(), n);
    transport::consume_lent(loop, handle_, n);
    return n;
  }
  SessionState* layered = layer();
  if (layered == nullptr) return transport::plain_receive(handle_, into);
  flags_ |= kSessionBusy;
  return layered->session->read(into);
}

Result<std::size_t> ConnectionSlot::write_some(std::span<const std::byte> data) noexcept {
  SessionState* layered = layer();
  if (layered == nullptr) return transport::plain_send(handle_, data);
  flags_ |= kSessionBusy;
  return layered->session->write(data);
}

Status ConnectionSlot::shut_write_side() noexcept {
  if (SessionState* layered = layer()) {
    if (auto st = layered->session->close_notify(); !st) return st;
  }
  return transport::shutdown_write(handle_);
}

void ConnectionSlot::advance_handshake() noexcept {
  Group& g = group();
  SessionState& layered = *layer();
  auto st = layered.session->handshake();
  if (!st) {
    if (st.error() != errc::would_block) return finish(st.error());
    const unsigned wants = layered.session->wants();
    if (auto w = g.loop.rewatch(handle_, wants); !w) return finish(w.error());
    flags_ = static_cast<std::uint16_t>((flags_ & ~(kWatchRead | kWatchWrite)) |
                                        (wants & io::readable ? kWatchRead : 0) |
                                        (wants & io::writable ? kWatchWrite : 0));
    return;
  }
  flags_ &= static_cast<std::uint16_t>(~kHandshaking);
  layered.handshake_deadline.cancel();
  g.touch(*this);
  update_interest();
  if (!(flags_ & kOpen)) return;
  g.handler.on_open(*this);
  // Application data may have come with the handshake's last flight.
  if (flags_ & kOpen) on_io(io::readable);
}

// Inlined into on_io, its one caller: the loop's hottest path.
[[gnu::always_inline]] inline void ConnectionSlot::on_readable() noexcept {
  Group& g = group();
  std::size_t budget = g.limits.max_read_per_wakeup;
  for (;;) {
    // The bytes come from the backend's own buffer (a completion backend has
    // received them already: no copy, no system call), or are read into the
    // scratch buffer, or behind what an earlier on_data left unconsumed.
    const bool lent = (flags_ & kLoopReceives) && in() == nullptr;
    std::span<const std::byte> data;
    std::size_t n = 0;
    bool more = true;  // reading on may find more (a short read drained the socket)
    if (lent) {
      auto got = transport::lent(g.loop, handle_);
      if (!got) {
        if (got.error() == errc::would_block) return;
        return finish(got.error());
      }
      data = *got;
      n = data.size();
    } else {
      auto into = read_space();
      if (into.empty()) return;  // finished: out of memory or a frame too large
      auto got = read_some(into);
      if (!got) {
        if (got.error() == errc::would_block) return;
        return finish(got.error());
      }
      n = *got;
      if (Chunk* kept = in()) {
        kept->end += static_cast<std::uint32_t>(n);
        data = kept->readable();
      } else {
        data = {g.scratch.data(), n};
      }
      // A short read drained the socket, but for an EOF that came with the data:
      // level-triggered backends report that again, edge-triggered ones do not.
      // TLS: a short read says nothing about the socket, and records may wait
      // decrypted inside the session; read on until would-block.
      more = n == into.size() || (flags_ & kReadToBlock);
    }
    if (n == 0) {  // EOF: the peer will send nothing more
      flags_ |= kPeerClosed;
      release_input();
      update_interest();
      g.handler.on_peer_closed(*this);
      // Our side was shut already (before or just now): both directions are done.
      if ((flags_ & kOpen) && (flags_ & kWriteShut)) finish({});
      return;
    }
    g.touch(*this);
    auto used = g.handler.on_data(*this, data);
    if (!(flags_ & kOpen)) return;  // the handler closed us
    if (!used) return finish(used.error());
    if (!keep_unconsumed(data, std::min(*used, data.size()))) return;
    if (lent) transport::consume_lent(g.loop, handle_, n);
    if (!more || (flags_ & kReadPaused) || !(flags_ & kOpen)) return;
    budget -= std::min(budget, n);
    if (budget == 0) {
      // Fair share spent: others and timers go first. Level-triggered backends
      // report the rest again; an edge-triggered one must be told.
      if (g.edge_triggered || layer() != nullptr) g.loop.requeue(handle_, io::readable);
      return;
    }
  }
}

void ConnectionSlot::on_io(unsigned events) noexcept {
  if (!(flags_ & kOpen)) return;
  if (flags_ & kHandshaking) return advance_handshake();
  // Errors and hang-ups are read out even while paused: the read says why.
  const bool urgent = events & (io::error | io::hangup);
  if (flags_ & kPeerClosed) {
    if (urgent) after_eof(events & io::hangup);
  } else if ((events & io::readable && !(flags_ & kReadPaused)) || urgent) {
    on_readable();
  }
  if ((flags_ & kOpen) && (events & io::writable)) on_writable();
}

[[gnu::always_inline]] inline std::span<std::byte> ConnectionSlot::read_space() noexcept {
  Group& g = group();
  Chunk* kept = in();
  if (kept == nullptr) return {g.scratch.data(), g.scratch.size()};
  if (kept->writable().empty()) {
    if (kept->begin > 0) {  // compact: move the unconsumed bytes to the front
      std::memmove(kept->data(), kept->data() + kept->begin, kept->end - kept->begin);
      kept->end -= kept->begin;
      kept->begin = 0;
    } else if (kept->capacity < g.limits.max_pending_read) {
      const auto bigger = static_cast<std::uint32_t>(
          std::min<std::size_t>(std::size_t{kept->capacity} * 2, g.limits.max_pending_read));
      Chunk* grown = g.pool.acquire(bigger);
      if (grown == nullptr) {
        finish(make_error(std::errc::not_enough_memory));
        return {};
      }
      std::memcpy(grown->data(), kept->data(), kept->end);
      grown->end = kept->end;
      g.pool.release(kept);
      extras_->in = kept = grown;
    } else {
      finish(make_error_code(failure::frame_too_large));
      return {};
    }
  }
  return kept->writable();
}

[[gnu::always_inline]] inline bool ConnectionSlot::keep_unconsumed(std::span<const std::byte> data,
                                                                   std::size_t consumed) noexcept {
  Group& g = group();
  const std::size_t left = data.size() - consumed;
  if (left > g.limits.max_pending_read) {
    finish(make_error_code(failure::frame_too_large));
    return false;
  }
  if (Chunk* kept = in()) {
    kept->begin += static_cast<std::uint32_t>(consumed);
    if (left == 0) release_input();
  } else if (left > 0) {
    Extras* x = extras();
    Chunk* fresh = x != nullptr ? g.pool.acquire(static_cast<std::uint32_t>(left)) : nullptr;
    if (fresh == nullptr) {
      finish(make_error(std::errc::not_enough_memory));
      return false;
    }
    std::memcpy(fresh->data(), data.data() + consumed, left);
    fresh->end = static_cast<std::uint32_t>(left);
    x->in = fresh;
  }
  return true;
}

void ConnectionSlot::after_eof(bool hangup) noexcept {
  // Only an error or a hang-up comes after EOF: say why, or finish if our side
  // is done too. The peer's EOF itself is reported once, never again.
  std::byte probe;
  auto n = transport::receive(handle_, std::span(&probe, 1));
  if (!n && n.error() != errc::would_block) return finish(n.error());
  if (flags_ & kWriteShut) return finish({});
  // Both directions are gone while we still had data to send.
  if (hangup) finish(make_error_code(failure::closed_by_peer));
}

void ConnectionSlot::on_writable() noexcept {
  Group& g = group();
  while (Chunk* queue = out()) {
    auto n = write_some(queue->readable());
    if (!n) {
      if (n.error() == errc::would_block) break;
      return finish(n.error());
    }
    consume(g.pool, extras_->out, *n);
    if (extras_->out == nullptr) trim_extras();
  }
  if ((flags_ & kAboveHigh) && queued_bytes() <= g.limits.low_watermark) {
    flags_ &= static_cast<std::uint16_t>(~kAboveHigh);
    g.handler.on_drain(*this);
    if (!(flags_ & kOpen)) return;
  }
  if (out() == nullptr) {
    if (flags_ & kCloseAfterFlush) return finish({});
    if ((flags_ & kWantShutdown) && !(flags_ & kWriteShut)) {
      auto st = shut_write_side();
      if (!st && st.error() == errc::would_block) {
        flags_ |= kNotifyPending;  // close_notify goes out when writable
        flags_ &= static_cast<std::uint16_t>(~kWatchWrite);
        update_interest();
        return;
      }
      flags_ = static_cast<std::uint16_t>((flags_ & ~kNotifyPending) | kWriteShut);
      if (flags_ & kPeerClosed) return finish({});  // both directions done
    }
  }
  update_interest();
}

Status ConnectionSlot::send(std::span<const std::byte> data) noexcept {
  if (!(flags_ & kOpen) || (flags_ & (kWantShutdown | kWriteShut)))
    return make_error(std::errc::not_connected);
  Group& g = group();
  if (queued_bytes() + data.size() > g.limits.max_write_queue) return failure::write_queue_full;
  std::size_t written = 0;
  if (out() == nullptr) {  // nothing queued: try the socket first, no copy
    while (written < data.size()) {
      auto n = write_some(data.subspan(written));
      if (!n) {
        if (n.error() == errc::would_block) break;
        const ErrorCode why = n.error();
        finish(why);
        return why;
      }
      written += *n;
    }
  }
  if (written < data.size()) {
    Extras* x = extras();
    if (x == nullptr || !append(g.pool, x->out, data.subspan(written))) {
      // Part of the message went out; the stream cannot be repaired: close.
      const auto why = make_error(std::errc::not_enough_memory);
      finish(why);
      return why;
    }
    if (!(flags_ & kAboveHigh) && queued_bytes() >= g.limits.high_watermark) {
      flags_ |= kAboveHigh;
      g.handler.on_high_watermark(*this);
      if (!(flags_ & kOpen)) return {};
    }
    update_interest();
  }
  return {};
}

Status ConnectionSlot::send(std::span<const std::span<const std::byte>> parts) noexcept {
  if (!(flags_ & kOpen) || (flags_ & (kWantShutdown | kWriteShut)))
    return make_error(std::errc::not_connected);
  std::size_t total = 0;
  for (const auto& part : parts)
    total += part.size();
  if (queued_bytes() + total > group().limits.max_write_queue) return failure::write_queue_full;
  std::size_t skip = 0;  // bytes at the front already written by the gather call
  if (out() == nullptr && layer() == nullptr && parts.size() > 1) {
    auto n = transport::send_gather(handle_, parts);
    if (!n && n.error() != errc::would_block) {
      const ErrorCode why = n.error();
      finish(why);
      return why;
    }
    if (n) skip = *n;
  }
  // The rest goes the single-buffer way: written if the socket takes it, else queued.
  for (const auto& part : parts) {
    if (skip >= part.size()) {
      skip -= part.size();
      continue;
    }
    if (auto st = send(part.subspan(skip)); !st) return st;
    skip = 0;
    if (!(flags_ & kOpen)) return {};  // a watermark callback closed it
  }
  return {};
}

Status ConnectionSlot::send(std::string_view data) noexcept {
  return send(std::as_bytes(std::span(data.data(), data.size())));
}

void ConnectionSlot::shutdown_write() noexcept {
  if (!(flags_ & kOpen) || (flags_ & (kWantShutdown | kWriteShut))) return;
  flags_ |= kWantShutdown;
  if (out() == nullptr) on_writable();  // nothing queued: shut now
}

void ConnectionSlot::close_after_flush() noexcept {
  if (!(flags_ & kOpen)) return;
  flags_ |= kCloseAfterFlush | kReadPaused;
  if (out() == nullptr) return finish({});
  update_interest();
}

void ConnectionSlot::close(ErrorCode why) noexcept {
  finish(why);
}

void ConnectionSlot::pause_reading() noexcept {
  if (!(flags_ & kOpen) || (flags_ & kReadPaused)) return;
  flags_ |= kReadPaused;
  update_interest();
}

void ConnectionSlot::resume_reading() noexcept {
  if (!(flags_ & kOpen) || !(flags_ & kReadPaused) || (flags_ & kCloseAfterFlush)) return;
  flags_ &= static_cast<std::uint16_t>(~kReadPaused);
  update_interest();  // edge-triggered: re-arming reports data that is already there
  // Decrypted bytes inside a TLS session: no backend reports those.
  const SessionState* layered = layer();
  if ((flags_ & kOpen) && layered != nullptr && layered->session->has_buffered_input())
    group().loop.requeue(handle_, io::readable);
}

void ConnectionSlot::update_interest() noexcept {
  if (!(flags_ & kOpen)) return;
  const bool want_read = !(flags_ & (kReadPaused | kPeerClosed));
  const bool want_write = out() != nullptr || (flags_ & kNotifyPending);
  const bool has_read = flags_ & kWatchRead, has_write = flags_ & kWatchWrite;
  if (want_read == has_read && want_write == has_write) return;
  flags_ =
      static_cast<std::uint16_t>((flags_ & ~(kWatchRead | kWatchWrite)) |
                                 (want_read ? kWatchRead : 0) | (want_write ? kWatchWrite : 0));
  const unsigned interest = (want_read ? io::readable : 0u) | (want_write ? io::writable : 0u);
  if (auto st = group().loop.rewatch(handle_, interest); !st) finish(st.error());
}

void ConnectionSlot::finish(ErrorCode why) noexcept {
  if (!(flags_ & kOpen)) return;
  Group& g = group();
  const bool opened = !(flags_ & kHandshaking);  // else on_open never came
  flags_ = 0;
  (void)g.loop.unwatch(handle_);
  SessionState* layered = layer();
  if (layered != nullptr && opened && !why) (void)layered->session->close_notify();  // best effort
  (void)transport::close(handle_);
  handle_ = {};
  if (extras_ != nullptr) {
    g.pool.release_list(extras_->out);
    g.pool.release(extras_->in);
    extras_->out = extras_->in = nullptr;
  }
  g.idle_remove(*this);
  if (opened) {
    g.handler.on_close(*this, why);
  } else {
    g.handshake_failed(*this, why);
  }
  reset_state();
  if (layered != nullptr) {
    delete layered;  // its handshake deadline cancels itself
    extras_->layer = nullptr;
    g.tls_closed();
  }
  trim_extras();
  g.bury(*this);
}

}  // namespace sockkit
