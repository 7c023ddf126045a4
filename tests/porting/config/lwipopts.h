// SPDX-License-Identifier: MIT
/* The firmware's own lwIP configuration: a small device (sockkit's requirements
 * are in src/sys/lwip/requirements.hpp and docs/porting.md; everything else is
 * the firmware's choice). Written for lwIP's pthreads port, which stands in for
 * an RTOS port here. */
#ifndef APP_LWIPOPTS_H
#define APP_LWIPOPTS_H

/* What sockkit needs. */
#define NO_SYS 0
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_COMPAT_SOCKETS 0
#define SO_REUSE 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_SOCKET_SELECT 1
#define LWIP_SOCKET_POLL 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_LINGER 1
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 1
#include <pthread.h>
#include <stdint.h>
#define SOCKKIT_CURRENT_TASK() ((const void*)(uintptr_t)pthread_self())

/* The firmware's own choices: a small heap and few connections. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DNS 0
#define LWIP_DHCP 0
#define LWIP_STATS 0
#define LWIP_SOCKET_OFFSET 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (24 * 1024)
#define MEMP_NUM_NETCONN 10
#define MEMP_NUM_TCP_PCB 6
#define MEMP_NUM_TCP_PCB_LISTEN 2
#define MEMP_NUM_UDP_PCB 4
#define MEMP_NUM_TCP_SEG 24
#define PBUF_POOL_SIZE 12
#define TCP_MSS 1460
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCPIP_MBOX_SIZE 16
#define DEFAULT_TCP_RECVMBOX_SIZE 16
#define DEFAULT_UDP_RECVMBOX_SIZE 16
#define DEFAULT_ACCEPTMBOX_SIZE 8
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)

/* What Debian's pthreads port asks of its lwipopts.h. */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) (sin)->sin_len = sizeof(struct sockaddr_in)
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) (sin6)->sin6_len = sizeof(struct sockaddr_in6)
#define IPADDR_SOCKADDR_GET_LEN(addr) (addr)->sa.sa_len
#ifdef __cplusplus
extern "C" {
#endif
void sys_check_core_locking(void);
void sys_mark_tcpip_thread(void);
void sys_lock_tcpip_core(void);
void sys_unlock_tcpip_core(void);
#ifdef __cplusplus
}
#endif
#define LWIP_ASSERT_CORE_LOCKED() sys_check_core_locking()
#define LWIP_MARK_TCPIP_THREAD() sys_mark_tcpip_thread()
#define LOCK_TCPIP_CORE() sys_lock_tcpip_core()
#define UNLOCK_TCPIP_CORE() sys_unlock_tcpip_core()

#endif /* APP_LWIPOPTS_H */
