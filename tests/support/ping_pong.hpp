// Measures whether a loop keeps serving: a ping-pong connection to an echo
// server on `loop`, one byte at a time, for `duration`.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {

/// The worst round trip a loop that is not blocked may show: 10 ms, and 50 ms
/// in sanitizer builds (5-15x slower, sharing two cores with another test) and
/// under qemu-user (an armhf run on a loaded machine saw 11 ms).
/// A blocked loop shows seconds: the resolver's timeout per try.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(SOCKKIT_TESTS_EMULATED)
inline constexpr std::chrono::milliseconds kWorstRoundTrip{50};
#else
inline constexpr std::chrono::milliseconds kWorstRoundTrip{10};
#endif

struct PingPongResult {
  std::chrono::nanoseconds worst{0};  ///< Slowest round trip.
  int round_trips = 0;
  std::string error;  ///< Empty, or what went wrong (the loop stopped serving, a socket failed).
};

/// Runs `loop` while pinging its echo server; stops early when `stop()` is true.
PingPongResult ping_pong_while(EventLoop& loop, std::chrono::milliseconds duration,
                               const std::function<bool()>& stop);

}  // namespace sockkit::test
