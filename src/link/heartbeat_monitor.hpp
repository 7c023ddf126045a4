// SPDX-License-Identifier: MIT
// The application heartbeat as a machine without I/O: it says when a ping is
// due and when an unanswered one means the peer is dead; the reconnecting
// client keeps one timer at next_deadline() and does what on_time() returns.
//
//   off --up--> waiting --interval--> awaiting (ping sent) --timeout--> dead
//                  ^                         |
//                  +-------- answered -------+
#pragma once

#include <chrono>
#include <optional>

#include "sockkit/event_loop.hpp"
#include "sockkit/reconnecting_client.hpp"

namespace sockkit::link {

class HeartbeatMonitor {
 public:
  using Clock = EventLoop::Clock;
  /// What on_time() found due.
  enum class Due { nothing, ping, dead };

  explicit HeartbeatMonitor(const Heartbeat& settings) noexcept : settings_(settings) {}

  /// The connection is up: the first ping is due an interval from `now`.
  void up(Clock::time_point now) noexcept;
  /// The connection is gone: nothing is due.
  void down() noexcept;
  /// The peer answered. True if a ping was waiting for it (the next one is
  /// then due an interval from `now`).
  bool answered(Clock::time_point now) noexcept;
  /// What is due at `now`: a ping (now awaiting its answer), the peer's death
  /// (then down), or nothing yet.
  Due on_time(Clock::time_point now) noexcept;
  /// When on_time() next has something to do; none while off.
  std::optional<Clock::time_point> next_deadline() const noexcept;
  /// A ping is waiting for its answer.
  bool awaiting() const noexcept { return phase_ == Phase::awaiting; }

 private:
  enum class Phase { off, waiting, awaiting };
  Heartbeat settings_;
  Phase phase_ = Phase::off;
  Clock::time_point deadline_{};
};

}  // namespace sockkit::link
