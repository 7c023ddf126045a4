// SPDX-License-Identifier: MIT
// The loop's lock for posted work. Hosted on Linux, threads share a loop; on a
// board there is one thread and nothing to exclude (posting from an interrupt
// handler is not supported: it allocates).
#include <new>

#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

#if SOCKKIT_RAW_HOSTED
struct Lock {
  std::mutex mutex;
};
Lock* make_lock() noexcept {
  return new (std::nothrow) Lock;
}
void destroy(Lock* lock) noexcept {
  delete lock;
}
void acquire(Lock* lock) noexcept {
  lock->mutex.lock();
}
void release(Lock* lock) noexcept {
  lock->mutex.unlock();
}
#else
struct Lock {};
Lock* make_lock() noexcept {
  static Lock the_only_thread;
  return &the_only_thread;
}
void destroy(Lock*) noexcept {}
void acquire(Lock*) noexcept {}
void release(Lock*) noexcept {}
#endif

}  // namespace sockkit::sys
