// SPDX-License-Identifier: MIT
// A group of connections sharing one handler, one set of limits, one buffer
// pool and one read scratch buffer: a Server's or a Client's connections.
// Connections live in a slab (no allocation per connection) and are linked
// into an idle list by 32-bit slot numbers, least recently active first.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "net/buffer.hpp"
#include "net/connection_slot.hpp"
#include "net/slab.hpp"
#include "sockkit/function.hpp"
#include "sockkit/tcp_stream.hpp"
#include "sockkit/websocket.hpp"
#include "transport/lent.hpp"
#include "transport/transport.hpp"

namespace sockkit::net {

/// Connection flag bits.
enum : std::uint16_t {
  kOpen = 1 << 0,
  kReadPaused = 1 << 1,
  kWantShutdown = 1 << 2,  // shut the write side once the queue is empty
  kWriteShut = 1 << 3,
  kPeerClosed = 1 << 4,
  kAboveHigh = 1 << 5,
  kWatchRead = 1 << 6,  // interest currently registered with the loop
  kWatchWrite = 1 << 7,
  kCloseAfterFlush = 1 << 8,
  kHandshaking = 1 << 9,     // a session: on_open waits for its handshake
  kNotifyPending = 1 << 10,  // a session: its goodbye would block; the FIN waits for it
  kSessionBusy = 1 << 11,    // a session: I/O since the last sweep (Group::sweep_sessions)
  // The loop's completion backend receives for it (0: no such backend in this build).
  kLoopReceives = transport::kLends ? 1 << 12 : 0,
  // A short read does not show the socket drained (an edge-triggered backend,
  // a session, lent receives): read on until would-block.
  kReadToBlock = 1 << 13,
};

/// A layered connection's state beyond the plain one's: its session (TLS, a
/// WebSocket, or both) and the deadline of its handshake (allocated per such connection).
struct SessionState {
  std::shared_ptr<TlsContext> context;  // kept alive by its connections; null: no TLS
  std::unique_ptr<transport::Session> session;
  Timer handshake_deadline;
  Endpoint connect_target;    // a Client's: on_connect_failed names it
  std::uint64_t started = 0;  // order of adoption in the group: the oldest gives way first
  bool client = false;
};

/// How adopt() starts the session of a new connection: TLS, and a client's
/// web layers (a proxy tunnel under it, a WebSocket over it).
struct SessionStart {
  std::shared_ptr<TlsContext> context;  // null: no TLS
  std::string_view server_name{};       // a Client's; empty: the context's
  /// A client's web layers (transport::add_web_layers, or null: none). A
  /// pointer, so that only programs that connect out link them.
  decltype(&transport::add_web_layers) web_layers = nullptr;
  transport::WebLayers web{};
  Endpoint connect_target{};
  /// A dial's deadline: the handshake ends by then too (one deadline covers
  /// resolution, connect and handshake). time_point::max(): the context's
  /// handshake_timeout alone.
  EventLoop::Clock::time_point deadline = EventLoop::Clock::time_point::max();
};

class Group {
 public:
  Group(EventLoop& loop, ConnectionHandler& handler, const ConnectionOptions& limits);
  /// Closes every connection still open (see retire()).
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  /// Keeps the group's own timers (idle watchdog, TLS sweep) and starts the
  /// watchdog; failure::timers_exhausted on a loop whose timers are all in use.
  Status start() noexcept;

  /// Takes over a connected stream: non-blocking, watched, on_open called (with
  /// `tls`: once its handshake is done, or never if it fails).
  Result<ConnectionSlot*> adopt(TcpStream&& stream, const SessionStart* tls = nullptr) noexcept;
  /// A TLS handshake ended in `why`: counted, and a Client's is reported.
  void handshake_failed(ConnectionSlot& c, ErrorCode why) noexcept;
  /// A TLS connection's state was freed.
  void tls_closed() noexcept;
  /// The least recently active connection still in its TLS handshake, or null.
  ConnectionSlot* oldest_handshaking() noexcept;
  /// Called by a connection that has finished; its slot is reused later.
  void bury(ConnectionSlot& c) noexcept;
  /// Marks activity for the idle watchdog (inline: called on every read, and
  /// without a watchdog it is only the test).
  void touch(ConnectionSlot& c) noexcept {
    if (idle_watch_) move_to_active_end(c);
  }
  void idle_remove(ConnectionSlot& c) noexcept;
  /// Stamps `c` with the time and moves it to the active end of the idle list.
  void move_to_active_end(ConnectionSlot& c) noexcept;
  /// Closes every open connection once its queue is written, the rest at
  /// `grace`; then `done(flushed)` runs from the loop (soon()). Never runs the
  /// loop. A second drain replaces the first (whose `done` is not called).
  void drain(std::chrono::milliseconds grace, Function<void(bool)> done) noexcept;
  /// drain() and run the loop until it is done (outside the loop's callbacks;
  /// inside one, the rest is closed at once and false returned).
  bool drain_and_close(std::chrono::milliseconds grace) noexcept;

  /// Closes every open connection now (on_close with operation_canceled) and
  /// stops the idle timer: afterwards nothing of this group calls back or
  /// touches the loop, and only its memory remains for the destructor.
  void retire() noexcept;
  /// The open connection with this id, or null.
  ConnectionSlot* find(Connection::Id id) noexcept;

  std::size_t open_count() const noexcept { return open_; }
  std::uint64_t idle_closed() const noexcept { return idle_closed_; }
  std::uint64_t handshake_failures() const noexcept { return handshake_failures_; }
  std::uint64_t handshake_timeouts() const noexcept { return handshake_timeouts_; }
  /// True once retire() began: closing connections call nothing back any more.
  bool retiring() const noexcept { return retiring_; }

  EventLoop& loop;
  ConnectionHandler& handler;
  const ConnectionOptions limits;
  const bool edge_triggered;  // the loop's backend, asked once: it never changes
  BufferPool pool;
  std::vector<std::byte> scratch;  // shared read buffer: idle connections hold none

 private:
  void recycle() noexcept;
  void check_idle() noexcept;
  void sweep_sessions() noexcept;
  std::uint32_t now_ms() const noexcept;

  Slab slab_;  // elements never move; each finds this group through its block
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> closed_slots_;      // reused from the loop's closing phase on
  std::uint32_t idle_head_ = 0, idle_tail_ = 0;  // slot + 1; 0 = none
  std::size_t open_ = 0;
  std::uint64_t idle_closed_ = 0;
  std::uint64_t handshake_failures_ = 0;
  std::uint64_t handshake_timeouts_ = 0;
  std::size_t tls_open_ = 0, tls_peak_ = 0, tls_closed_since_trim_ = 0;
  std::uint64_t tls_started_ = 0;
  bool retiring_ = false;
  // A drain in progress: what to call, its deadline, and the call once queued.
  Function<void(bool)> drained_;
  Timer drain_timer_;
  SoonId drain_done_ = 0;
  bool drain_flushed_ = true;
  void drain_finished() noexcept;
  void close_remaining() noexcept;  // what a drain could not flush in time
  void cancel_drain() noexcept;
  TimerReservation timers_;    // the idle watchdog and the TLS sweep: never refused later
  Timer idle_timer_;           // after timers_: cancelled before its slot goes back
  bool idle_watch_ = false;    // the idle watchdog runs (checked on every read)
  Timer session_sweep_timer_;  // runs while the group has TLS connections
  EventLoop::Clock::time_point epoch_;
};

}  // namespace sockkit::net
