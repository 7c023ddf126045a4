// SPDX-License-Identifier: MIT
// The C library's heap, the same on both stacks: freeing memory does not make a
// glibc process smaller when the free chunks sit between live ones, so after a
// burst the pool asks the allocator to hand whole free pages back.
#include <cstdlib>  // defines __GLIBC__ where it applies
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "sys/sys.hpp"

namespace sockkit::sys {

void give_back_free_heap() noexcept {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
  // newlib and RTOS heaps have no such call; their free lists are reused as is.
}

}  // namespace sockkit::sys
