// SPDX-License-Identifier: MIT
// The loop's lock on Linux: the C++ runtime's mutex.
#include <mutex>
#include <new>

#include "sys/sys.hpp"

namespace sockkit::sys {

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

}  // namespace sockkit::sys
