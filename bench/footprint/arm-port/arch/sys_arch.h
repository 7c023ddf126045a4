// SPDX-License-Identifier: MIT
/* OS primitives as the RTOS port defines them: opaque handles here, since the
 * footprint build compiles but does not link against an RTOS. */
#ifndef SOCKKIT_ARM_ARCH_SYS_ARCH_H
#define SOCKKIT_ARM_ARCH_SYS_ARCH_H

typedef struct rtos_semaphore* sys_sem_t;
typedef struct rtos_mutex* sys_mutex_t;
typedef struct rtos_queue* sys_mbox_t;
typedef struct rtos_task* sys_thread_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL
#define sys_sem_valid(s) ((s) != NULL && *(s) != NULL)
#define sys_sem_set_invalid(s)    \
  do {                            \
    if ((s) != NULL) *(s) = NULL; \
  } while (0)
#define sys_mutex_valid(m) sys_sem_valid(m)
#define sys_mutex_set_invalid(m) sys_sem_set_invalid(m)
#define sys_mbox_valid(m) sys_sem_valid(m)
#define sys_mbox_set_invalid(m) sys_sem_set_invalid(m)

#endif
