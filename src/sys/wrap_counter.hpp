// SPDX-License-Identifier: MIT
// Widens a 32-bit millisecond tick that wraps (lwIP's sys_now(), every 49.7
// days) to 64 bits that never do. Shared by the stacks; the caller serialises
// the calls (the stack's critical section), and must make one at least once
// per wrap period, or a whole period goes unseen.
#pragma once

#include <cstdint>

namespace sockkit::sys {

class WrapCounter {
 public:
  /// `tick` widened: a tick smaller than the one before means the counter wrapped.
  std::int64_t widen(std::uint32_t tick) noexcept {
    if (tick < last_) ++wraps_;
    last_ = tick;
    return static_cast<std::int64_t>(std::uint64_t{wraps_} << 32 | tick);
  }

 private:
  std::uint32_t last_ = 0;
  std::uint32_t wraps_ = 0;
};

}  // namespace sockkit::sys
