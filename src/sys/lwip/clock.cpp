// SPDX-License-Identifier: MIT
// The stack's clock on lwIP: sys_now(), the port's 32-bit millisecond tick,
// widened inside lwIP's critical section (any task may read the clock).
#include "lwip/sys.h"
#include "sys/sys.hpp"
#include "sys/wrap_counter.hpp"

namespace sockkit::sys {
namespace {
WrapCounter ticks;
}  // namespace

std::int64_t stack_milliseconds() noexcept {
  SYS_ARCH_DECL_PROTECT(level);
  SYS_ARCH_PROTECT(level);
  const std::int64_t now = ticks.widen(sys_now());
  SYS_ARCH_UNPROTECT(level);
  return now;
}

}  // namespace sockkit::sys
