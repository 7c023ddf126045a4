// SPDX-License-Identifier: MIT
#include "sockkit/clock.hpp"

#include "sys/sys.hpp"

namespace sockkit {

StackClock::time_point StackClock::now() noexcept {
  return time_point(duration(sys::stack_milliseconds()));
}

}  // namespace sockkit
