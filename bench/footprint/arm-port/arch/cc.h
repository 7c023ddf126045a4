// SPDX-License-Identifier: MIT
/* lwIP's compiler/platform header for the Cortex-M4 footprint build
 * (arm-none-eabi, newlib). sockkit's own, minimal: an RTOS port supplies the
 * sys_arch functions at link time; this build only measures code size. */
#ifndef SOCKKIT_ARM_ARCH_CC_H
#define SOCKKIT_ARM_ARCH_CC_H

#include <errno.h>
#include <stdlib.h>
#include <sys/time.h>

#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1 /* newlib's errno values */
#define LWIP_RAND() ((u32_t)rand())

typedef unsigned int sys_prot_t;

/* The running task, for sockkit's event loop (an RTOS's "current task" call). */
#ifdef __cplusplus
extern "C" {
#endif
const void* sys_current_task(void);
#ifdef __cplusplus
}
#endif
#define SOCKKIT_CURRENT_TASK() sys_current_task()

#endif
