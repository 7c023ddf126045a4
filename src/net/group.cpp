// SPDX-License-Identifier: MIT
#include "net/group.hpp"

#include <algorithm>
#include <cassert>
#include <new>
#include <optional>

#include "deadline.hpp"
#include "loop/loop_access.hpp"
#include "sys/sys.hpp"

namespace sockkit::net {

Group::Group(EventLoop& l, ConnectionHandler& h, const ConnectionOptions& lim)
    : loop(l),
      handler(h),
      limits(lim),
      edge_triggered(l.edge_triggered()),
      pool(lim.buffer_chunk, lim.buffer_reserve),
      scratch(std::max<std::uint32_t>(lim.read_chunk, 1)),
      slab_(*this),
      epoch_(EventLoop::Clock::now()) {}

Status Group::start() noexcept {
  const bool watchdog = limits.idle_timeout.count() > 0;
  auto kept = loop.reserve_timers(watchdog ? 2 : 1);
  if (!kept) return kept.error();
  timers_ = std::move(*kept);
  if (watchdog) {
    // One timer for the whole group: it walks the idle list from the least
    // recently active end, so each check costs O(expired), not O(connections).
    const auto tick = std::max(std::chrono::milliseconds(5), limits.idle_timeout / 8);
    idle_watch_ = idle_timer_.arm_repeating(timers_, tick, [this] { check_idle(); });
  }
  return {};
}

Group::~Group() {
  retire();
  // The owner is freed in the closing phase after the recycle its retirement queued.
  assert(closed_slots_.empty());
}

void Group::retire() noexcept {
  retiring_ = true;
  cancel_drain();
  idle_timer_.cancel();
  idle_watch_ = false;
  session_sweep_timer_.cancel();
  for (std::uint32_t slot = 0; slot < slab_.size(); ++slot)
    if (slab_[slot].flags_ & kOpen) slab_[slot].close(make_error(std::errc::operation_canceled));
}

ConnectionSlot* Group::find(Connection::Id id) noexcept {
  const auto slot = static_cast<std::uint32_t>(id & 0xffffffffu);
  if (slot >= slab_.size()) return nullptr;
  ConnectionSlot& c = slab_[slot];
  return (c.flags_ & kOpen) && c.id() == id ? &c : nullptr;
}

std::uint32_t Group::now_ms() const noexcept {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(loop.now() - epoch_).count());
}

Result<std::unique_ptr<SessionState>> open_session(NativeHandle socket,
                                                   const SessionStart& start) noexcept {
  std::unique_ptr<SessionState> state(new (std::nothrow) SessionState);
  if (!state) return make_error(std::errc::not_enough_memory);
  std::unique_ptr<transport::Session> session;
  if (start.context) {
    auto tls = transport::engine_of(*start.context).open(socket, start.server_name);
    if (!tls) return tls.error();
    session = std::move(*tls);
  }
  if (start.web_layers != nullptr) {  // a client's WebSocket and/or proxy tunnel
    auto web = start.web_layers(socket, std::move(session), start.web);
    if (!web) return web.error();
    session = std::move(*web);
  }
  if (!session) return make_error(std::errc::not_enough_memory);
  state->context = start.context;
  state->session = std::move(session);
  state->connect_target = start.connect_target;
  state->client = !start.context || !start.context->is_server();
  return state;
}

Result<ConnectionSlot*> Group::adopt(TcpStream&& stream, const SessionStart* tls) noexcept {
  if (auto st = stream.set_nonblocking(true); !st) return st.error();
  if (limits.no_delay) (void)stream.set_no_delay(true);  // not_supported on Unix streams: fine
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slab_.size();
    if (slab_.grow() == nullptr) return make_error(std::errc::not_enough_memory);
  }
  ConnectionSlot& c = slab_[slot];
  std::unique_ptr<SessionState> secure;
  if (tls != nullptr) {
    auto made = open_session(stream.native_handle(), *tls);
    if (!made) {
      free_slots_.push_back(slot);
      return made.error();
    }
    secure = std::move(*made);
  }
  // A layered connection keeps its session in the slot's extras, made here
  // where a failure is still simple to undo.
  std::unique_ptr<ConnectionSlot::Extras> extras;
  if (secure) {
    extras.reset(new (std::nothrow) ConnectionSlot::Extras);
    if (!extras) {
      free_slots_.push_back(slot);
      return make_error(std::errc::not_enough_memory);
    }
  }
  ++c.generation_;      // a new id: the departed connection's id stays dead
  c.reset_state();      // none left by the last user: finish() destroyed it
  c.extras_ = nullptr;  // finish() gave them back
  c.idle_prev_ = c.idle_next_ = 0;
  c.flags_ = kOpen | kWatchRead | (secure ? kHandshaking : 0) |
             (secure || edge_triggered ? kReadToBlock : 0);
  c.handle_ = stream.native_handle();
  if (secure) {
    // A peer that never finishes its handshake is closed at the deadline.
    const Connection::Id id = c.id();
    auto limit = std::chrono::milliseconds::max();
    if (tls->context) limit = tls->context->options().handshake_timeout;
    if (tls->web.websocket != nullptr)
      limit = std::min(limit, tls->web.websocket->handshake_timeout);
    if (limit == std::chrono::milliseconds::max()) limit = std::chrono::seconds(10);  // a tunnel
    if (tls->deadline != EventLoop::Clock::time_point::max())
      limit = std::min(limit, std::chrono::ceil<std::chrono::milliseconds>(
                                  tls->deadline - EventLoop::Clock::now()));
    const bool armed = secure->handshake_deadline.arm(
        loop, std::max(std::chrono::milliseconds(1), limit), [this, id] {
          ConnectionSlot* late = find(id);
          if (late == nullptr || !(late->flags_ & kHandshaking)) return;
          ++handshake_timeouts_;
          late->close(make_error_code(late->layer()->session->timeout_reason()));
        });
    if (!armed) {  // a loop with all its timers in use
      c.flags_ = 0;
      c.handle_ = {};
      free_slots_.push_back(slot);
      return make_error_code(failure::timers_exhausted);
    }
  }
  const auto on_io = [](void* object, unsigned events) noexcept {
    static_cast<ConnectionSlot*>(object)->on_io(events);
  };
  if (auto st = loop::LoopAccess::watch(loop, c.handle_, io::readable, &c, on_io); !st) {
    if (secure) secure->handshake_deadline.cancel();
    c.flags_ = 0;
    c.handle_ = {};
    free_slots_.push_back(slot);
    return st.error();  // e.g. select: descriptor past FD_SETSIZE; `stream` closes it
  }
  (void)stream.release();
  ++open_;
  touch(c);
  if (!secure) {
    if (transport::lend_receives(loop, c.handle_)) c.flags_ |= kLoopReceives | kReadToBlock;
    handler.on_open(c);
    return &c;
  }
  secure->started = ++tls_started_;
  extras->layer = secure.release();
  c.extras_ = extras.release();
  tls_peak_ = std::max(tls_peak_, ++tls_open_);
  if (!session_sweep_timer_.pending())  // quiet TLS connections give their record buffers back
    session_sweep_timer_.arm_repeating(timers_, std::chrono::seconds(1),
                                       [this] { sweep_sessions(); });
  c.advance_handshake();  // a client speaks first
  return &c;
}

void Group::sweep_sessions() noexcept {
  // A connection with no I/O for a whole period releases its TLS buffers; one
  // with I/O only loses its mark. With no TLS connection left, the timer stops.
  bool any = false;
  for (std::uint32_t slot = 0; slot < slab_.size(); ++slot) {
    ConnectionSlot& c = slab_[slot];
    if (!(c.flags_ & kOpen) || c.layer() == nullptr) continue;
    any = true;
    if (c.flags_ & (kHandshaking | kSessionBusy))
      c.flags_ &= static_cast<std::uint16_t>(~kSessionBusy);
    else
      c.layer()->session->release_buffers();
  }
  if (!any) session_sweep_timer_.cancel();
}

void Group::tls_closed() noexcept {
  // A TLS library's per-connection state (tens of kilobytes, from the C
  // library's heap) freed between live allocations does not shrink the
  // process: after a burst of handshakes — silent handshakers, a reconnect
  // storm — whole free pages are handed back once the TLS connections have
  // shrunk well below their high mark, or are all gone.
  constexpr std::size_t kTrimAfterClosed = 16;
  --tls_open_;
  ++tls_closed_since_trim_;
  const bool shrunk = tls_closed_since_trim_ >= kTrimAfterClosed && tls_open_ <= tls_peak_ / 2;
  const bool none_left = tls_open_ == 0 && tls_closed_since_trim_ >= 2;
  if (!shrunk && !none_left) return;
  sys::give_back_free_heap();
  tls_closed_since_trim_ = 0;
  tls_peak_ = tls_open_;
}

ConnectionSlot* Group::oldest_handshaking() noexcept {
  ConnectionSlot* oldest = nullptr;
  for (std::uint32_t slot = 0; slot < slab_.size(); ++slot) {
    ConnectionSlot& c = slab_[slot];
    if ((c.flags_ & (kOpen | kHandshaking)) != (kOpen | kHandshaking) || c.layer() == nullptr)
      continue;
    if (oldest == nullptr || c.layer()->started < oldest->layer()->started) oldest = &c;
  }
  return oldest;
}

void Group::handshake_failed(ConnectionSlot& c, ErrorCode why) noexcept {
  if (why != make_error_code(failure::tls_handshake_timeout) &&
      why != make_error_code(failure::upgrade_timeout))
    ++handshake_failures_;
  if (retiring_ || c.layer() == nullptr || !c.layer()->client) return;
  handler.on_connect_failed(c.layer()->connect_target, why);
}

void Group::bury(ConnectionSlot& c) noexcept {
  --open_;
  if (open_ == 0 && drained_) drain_finished();  // the last one flushed: the drain is done
  // A handler may still hold the ConnectionSlot& it closed: the slot is reused
  // only from the loop's closing phase on, when no callback is on the stack
  // (at once outside any callback).
  if (retiring_) return;  // a retired group reuses nothing (its owner may be freed next)
  closed_slots_.push_back(Slab::slot_of(&c));
  if (closed_slots_.size() == 1) loop.defer([this] { recycle(); });
}

void Group::recycle() noexcept {
  for (std::uint32_t slot : closed_slots_)
    if (slab_[slot].generation_ != UINT32_MAX) free_slots_.push_back(slot);  // else retired
  closed_slots_.clear();
}

void Group::move_to_active_end(ConnectionSlot& c) noexcept {
  c.last_active_ms_ = now_ms();
  const std::uint32_t me = Slab::slot_of(&c) + 1;
  if (idle_tail_ == me) return;
  idle_remove(c);
  c.idle_prev_ = idle_tail_;
  c.idle_next_ = 0;
  if (idle_tail_ != 0) slab_[idle_tail_ - 1].idle_next_ = me;
  idle_tail_ = me;
  if (idle_head_ == 0) idle_head_ = me;
}

void Group::idle_remove(ConnectionSlot& c) noexcept {
  const std::uint32_t me = Slab::slot_of(&c) + 1;
  if (c.idle_prev_ == 0 && c.idle_next_ == 0 && idle_head_ != me) return;  // not linked
  if (c.idle_prev_ != 0)
    slab_[c.idle_prev_ - 1].idle_next_ = c.idle_next_;
  else
    idle_head_ = c.idle_next_;
  if (c.idle_next_ != 0)
    slab_[c.idle_next_ - 1].idle_prev_ = c.idle_prev_;
  else
    idle_tail_ = c.idle_prev_;
  c.idle_prev_ = c.idle_next_ = 0;
}

void Group::check_idle() noexcept {
  const std::uint32_t now = now_ms();
  const auto limit = static_cast<std::uint32_t>(limits.idle_timeout.count());
  while (idle_head_ != 0) {
    ConnectionSlot& c = slab_[idle_head_ - 1];
    if (now - c.last_active_ms_ < limit) break;  // unsigned: wrap-safe
    ++idle_closed_;
    c.close(make_error_code(failure::idle_timeout));
  }
}

void Group::drain(std::chrono::milliseconds grace, Function<void(bool)> done) noexcept {
  cancel_drain();
  drained_ = std::move(done);
  drain_flushed_ = true;
  for (std::uint32_t slot = 0; slot < slab_.size(); ++slot)
    if (slab_[slot].flags_ & kOpen) slab_[slot].close_after_flush();
  if (open_ == 0) return drain_finished();
  const bool armed = drain_timer_.arm(loop, grace, [this] {
    drain_flushed_ = false;
    close_remaining();  // the rest, at the deadline
    drain_finished();
  });
  if (!armed) {  // no timer to wait with: close the rest now
    drain_flushed_ = false;
    close_remaining();
    drain_finished();
  }
}

void Group::close_remaining() noexcept {
  for (std::uint32_t slot = 0; slot < slab_.size(); ++slot)
    if (slab_[slot].flags_ & kOpen) slab_[slot].close(make_error_code(failure::send_timeout));
}

void Group::drain_finished() noexcept {
  if (!drained_ || drain_done_ != 0) return;
  drain_timer_.cancel();
  drain_done_ = loop.soon([this] {
    drain_done_ = 0;
    auto done = std::move(drained_);
    drained_ = nullptr;
    done(drain_flushed_);  // may destroy the group's owner: nothing follows
  });
}

void Group::cancel_drain() noexcept {
  drained_ = nullptr;
  drain_timer_.cancel();
  if (drain_done_ != 0) loop.cancel_soon(std::exchange(drain_done_, 0));
}

bool Group::drain_and_close(std::chrono::milliseconds grace) noexcept {
  std::optional<bool> flushed;
  drain(grace, [&flushed](bool f) { flushed = f; });
  (void)loop.run_until([&] { return flushed.has_value(); },
                       time::deadline_after(EventLoop::Clock::now(), grace) +
                           std::chrono::seconds(1));  // the deadline's close, then done
  if (flushed) return *flushed;
  // Inside a callback of the loop (it cannot run here) or a backend error.
  cancel_drain();
  close_remaining();
  return false;
}

}  // namespace sockkit::net
