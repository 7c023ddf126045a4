// SPDX-License-Identifier: MIT
// The loop's lock on lwIP: lwIP's own mutex, which the RTOS port (sys_arch)
// provides — pthreads with Debian's hosted port, the RTOS's mutex on a device.
#include <new>

#include "lwip/sys.h"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

struct Lock {
  sys_mutex_t mutex;
};

Lock* make_lock() noexcept {
  auto* lock = new (std::nothrow) Lock;
  if (lock != nullptr && sys_mutex_new(&lock->mutex) != ERR_OK) {
    delete lock;
    return nullptr;
  }
  return lock;
}
void destroy(Lock* lock) noexcept {
  if (lock == nullptr) return;
  sys_mutex_free(&lock->mutex);
  delete lock;
}
void acquire(Lock* lock) noexcept {
  sys_mutex_lock(&lock->mutex);
}
void release(Lock* lock) noexcept {
  sys_mutex_unlock(&lock->mutex);
}

}  // namespace sockkit::sys
