// SPDX-License-Identifier: MIT
/* lwIP's compiler and platform header for the MPS2 AN386 board: GCC for
 * arm-none-eabi with newlib, lwIP without an OS (NO_SYS=1). */
#ifndef SOCKKIT_MPS2_ARCH_CC_H
#define SOCKKIT_MPS2_ARCH_CC_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1 /* newlib's errno values */

/* Initial sequence numbers and local ports: from the board's generator. */
#ifdef __cplusplus
extern "C" {
#endif
uint32_t board_random(void);
#ifdef __cplusplus
}
#endif
#define LWIP_RAND() board_random()

/* Assertions print through newlib's stdio, then stop the board. */
#define LWIP_PLATFORM_ASSERT(message)                                                       \
  do {                                                                                      \
    printf("lwIP assertion \"%s\" failed at line %d in %s\n", message, __LINE__, __FILE__); \
    abort();                                                                                \
  } while (0)
#include <stdio.h>

#endif
