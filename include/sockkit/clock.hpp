// SPDX-License-Identifier: MIT
/// @file
/// The clock of the event loop's timers and deadlines.
///
/// On Linux it is `std::chrono::steady_clock`. On lwIP it is the stack's own
/// millisecond tick (`sys_now()`, 32 bits), widened to 64 bits: no nanosecond
/// arithmetic and no 64-bit division on a small device. Code that names the
/// loop's clock as `sockkit::LoopClock` (or `EventLoop::Clock`) builds on both:
///
///       const sockkit::LoopClock::time_point give_up = loop->now() + 5s;
///       loop->run_until([&] { return done; }, give_up);
///
/// CMake: -DSOCKKIT_STACK_CLOCK=ON|OFF (ON by default on lwIP, OFF on Linux).
#pragma once

#include <chrono>
#include <cstdint>

#ifndef SOCKKIT_STACK_CLOCK
/// 1: LoopClock is StackClock; 0: std::chrono::steady_clock (set by the build,
/// SOCKKIT_STACK_CLOCK).
#define SOCKKIT_STACK_CLOCK 0
#endif

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Milliseconds on the network stack's own tick: lwIP's `sys_now()` (whose
/// start the port chooses), widened to 64 bits where it wraps (every 49.7
/// days), so a deadline after the wrap still compares as later. Monotonic,
/// like `std::chrono::steady_clock`, whose interface it has.
///
///     auto start = sockkit::StackClock::now();
///     // ...
///     auto took = sockkit::StackClock::now() - start;  // std::chrono::milliseconds
///
/// The widening sees every wrap as long as the clock is read at least once
/// every 49.7 days; an event loop with any timer reads it far more often.
struct StackClock {
  /// Milliseconds, counted in 64 bits.
  using rep = std::int64_t;
  /// One millisecond.
  using period = std::milli;
  /// std::chrono::milliseconds.
  using duration = std::chrono::duration<rep, period>;
  /// A point on this clock.
  using time_point = std::chrono::time_point<StackClock>;
  /// Never set back.
  static constexpr bool is_steady = true;
  /// The current time.
  /// @return milliseconds on the stack's tick (CLOCK_MONOTONIC's on Linux).
  static time_point now() noexcept;
};

#if SOCKKIT_STACK_CLOCK
/// The event loop's clock in this build: StackClock.
using LoopClock = StackClock;
#else
/// The event loop's clock in this build: std::chrono::steady_clock.
using LoopClock = std::chrono::steady_clock;
#endif

}  // namespace sockkit

#pragma GCC visibility pop
