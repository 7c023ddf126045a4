// A group of connections sharing one handler, one set of limits, one buffer
// pool and one read scratch buffer: a Server's or a Client's connections.
// Connections live in a slab (no allocation per connection) and are linked
// into an idle list by 32-bit slot numbers, least recently active first.
#pragma once

#include <cstdint>
#include <vector>

#include "net/buffer.hpp"
#include "net/slab.hpp"
#include "sockkit/connection.hpp"
#include "sockkit/tcp_stream.hpp"

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
};

class Group {
 public:
  Group(EventLoop& loop, ConnectionHandler& handler, const ConnectionLimits& limits);
  /// Closes every connection still open (see retire()).
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  /// Takes over a connected stream: non-blocking, watched, on_open called.
  Result<Connection*> adopt(TcpStream&& stream) noexcept;
  /// Called by a connection that has finished; its slot is reused later.
  void bury(Connection& c) noexcept;
  /// Marks activity for the idle watchdog.
  void touch(Connection& c) noexcept;
  void idle_remove(Connection& c) noexcept;
  /// Closes every open connection once its queue is written; the rest at the deadline.
  /// Runs the loop meanwhile. True if all flushed in time.
  bool drain_and_close(std::chrono::milliseconds grace) noexcept;

  /// Closes every open connection now (on_close with operation_canceled) and
  /// stops the idle timer: afterwards nothing of this group calls back or
  /// touches the loop, and only its memory remains for the destructor.
  void retire() noexcept;
  /// The open connection with this id, or null.
  Connection* find(Connection::Id id) noexcept;
  /// True while a group function that runs the loop (drain_and_close) is on the stack.
  bool busy() const noexcept { return busy_ > 0; }

  std::size_t open_count() const noexcept { return open_; }
  std::uint64_t idle_closed() const noexcept { return idle_closed_; }

  EventLoop& loop;
  ConnectionHandler& handler;
  const ConnectionLimits limits;
  BufferPool pool;
  std::vector<std::byte> scratch;  // shared read buffer: idle connections hold none
  int dispatch_depth = 0;          // > 0 while a connection callback is on the stack

  /// Reuses buried slots once no connection callback is on the stack.
  void recycle_if_safe() noexcept {
    if (dispatch_depth == 0 && !graveyard_.empty()) recycle();
  }

 private:
  void recycle() noexcept;
  void check_idle() noexcept;
  std::uint32_t now_ms() const noexcept;

  Slab slab_;  // elements never move; each finds this group through its block
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> graveyard_;
  std::uint32_t idle_head_ = 0, idle_tail_ = 0;  // slot + 1; 0 = none
  std::size_t open_ = 0;
  std::uint64_t idle_closed_ = 0;
  int busy_ = 0;
  TimerId idle_timer_ = 0;
  EventLoop::Clock::time_point epoch_;
};

}  // namespace sockkit::net
