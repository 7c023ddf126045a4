// SPDX-License-Identifier: MIT
/* lwIP without an OS (NO_SYS=1) needs no semaphores, mailboxes or threads. */
#ifndef SOCKKIT_MPS2_ARCH_SYS_ARCH_H
#define SOCKKIT_MPS2_ARCH_SYS_ARCH_H
#endif
