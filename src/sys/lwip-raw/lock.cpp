// SPDX-License-Identifier: MIT
// The loop's lock for posted work. Hosted on Linux, threads share a loop; on a
// board there is one thread and nothing to exclude (posting from an interrupt
// handler is not supported: it allocates).
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

#if SOCKKIT_RAW_HOSTED
#include "sys/runtime_lock.hpp"
#else
namespace sockkit::sys {

struct Lock {};
Lock* make_lock() noexcept {
  static Lock the_only_thread;
  return &the_only_thread;
}
void destroy(Lock*) noexcept {}
void acquire(Lock*) noexcept {}
void release(Lock*) noexcept {}
}  // namespace sockkit::sys
#endif
