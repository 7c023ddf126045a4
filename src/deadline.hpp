// SPDX-License-Identifier: MIT
// Deadlines from user timeouts, saturating instead of overflowing: a timeout
// of milliseconds::max() is "never", not a deadline in the past.
#pragma once

#include <chrono>

#include "sockkit/clock.hpp"

namespace sockkit::time {

/// `timeout` in the clock's units, clamped so that adding it to a current time cannot overflow.
inline LoopClock::duration saturating_duration(std::chrono::milliseconds timeout) noexcept {
  using D = LoopClock::duration;
  // A quarter of the range: a century and more, and far from the edge.
  constexpr auto kLongest = std::chrono::duration_cast<std::chrono::milliseconds>(D::max() / 4);
  return timeout >= kLongest ? std::chrono::duration_cast<D>(kLongest)
                             : std::chrono::duration_cast<D>(timeout);
}

/// `now + timeout`; a negative timeout means no limit (time_point::max()).
inline LoopClock::time_point deadline_after(LoopClock::time_point now,
                                            std::chrono::milliseconds timeout) noexcept {
  if (timeout.count() < 0) return LoopClock::time_point::max();
  return now + saturating_duration(timeout);
}

}  // namespace sockkit::time
