// SPDX-License-Identifier: MIT
// The stack's clock on Linux: CLOCK_MONOTONIC in milliseconds (the same clock
// as std::chrono::steady_clock, which the loop uses here by default).
#include <time.h>

#include "sys/sys.hpp"

namespace sockkit::sys {

std::int64_t stack_milliseconds() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

}  // namespace sockkit::sys
