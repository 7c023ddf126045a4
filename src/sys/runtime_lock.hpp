// SPDX-License-Identifier: MIT
// The loop's lock as the C++ runtime's mutex, for the stacks that run where
// the runtime has threads (Linux, and the lwIP stacks hosted on it). These are
// the sys seam's definitions, not inline: exactly one file of the stack a
// build compiles includes this header.
#pragma once

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
