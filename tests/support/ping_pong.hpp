// SPDX-License-Identifier: MIT
// Measures whether a loop keeps serving: a ping-pong connection to an echo
// server on `loop`, one byte at a time, for `duration`.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {

/// The worst round trip allowed while a lookup waits: a loop blocked by the
/// lookup shows seconds (the resolver's timeout per try), so half a second
/// tells the two apart on any machine — sanitizers, qemu-user, a loaded CI
/// runner — without timing a healthy loop. The tests print the measured worst.
inline constexpr std::chrono::milliseconds kWorstRoundTrip{500};

struct PingPongResult {
  std::chrono::nanoseconds worst{0};  ///< Slowest round trip.
  int round_trips = 0;
  std::string error;  ///< Empty, or what went wrong (the loop stopped serving, a socket failed).
};

/// Runs `loop` while pinging its echo server; stops early when `stop()` is true.
PingPongResult ping_pong_while(EventLoop& loop, std::chrono::milliseconds duration,
                               const std::function<bool()>& stop);

}  // namespace sockkit::test
