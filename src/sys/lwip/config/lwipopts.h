// SPDX-License-Identifier: MIT
/* sockkit's lwIP configuration: lwIP's sockets API in a hosted process (the
 * pthreads port Debian's source package adds), in two profiles:
 *   SOCKKIT_LWIP_CONSTRAINED  like a device: 8 TCP PCBs, 12 netconns, 4 x MSS
 *                             windows, 32 KiB heap, static pools
 *   otherwise (roomy)         for functional tests: no pool exhaustion flakes
 * docs/lwip.md explains the profiles and the measured facts behind them;
 * read it before changing anything here. */
#ifndef SOCKKIT_LWIPOPTS_H
#define SOCKKIT_LWIPOPTS_H

/* An OS with threads; socket calls go through the core lock, not messages. */
#define NO_SYS 0
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
#define LWIP_COMPAT_SOCKETS 0 /* call lwip_* by name: the macros break <functional> */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 0 /* 0 is a valid socket: sockkit's handles are typed for that */
#define LWIP_SOCKET_SELECT 1
#define LWIP_SOCKET_POLL 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 1
#define LWIP_TCP_KEEPALIVE 1
#define SO_REUSE 1
#define IP_SOF_BROADCAST 1   /* as on Linux: sending a broadcast needs SO_BROADCAST */
#define TCP_LISTEN_BACKLOG 1 /* listen()'s backlog is honoured: past it, SYNs are dropped */
#define LWIP_FIONREAD_LINUXMODE 1
#define LWIP_TCPIP_TIMEOUT 1

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_DHCP 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_STATS 0
#define LWIP_NETIF_API 1

/* 64-bit hosts need 8-byte alignment. */
#if defined __LP64__
#define MEM_ALIGNMENT 8
#else
#define MEM_ALIGNMENT 4
#endif

#define TCP_MSS 1460
#define MEMP_MEM_MALLOC 0
#define MEM_LIBC_MALLOC 0

/* lwIP's DNS client: the stack resolver engine (a device's default) asks it,
   and it holds the servers (dns_setserver, DHCP) sockkit's resolver reads. */
#define LWIP_DNS 1

#ifdef SOCKKIT_LWIP_CONSTRAINED
#define LWIP_IGMP 0 /* a meter needs no multicast */
#define MEM_SIZE (32 * 1024)
#define MEMP_NUM_NETCONN 12
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_UDP_PCB 6
#define MEMP_NUM_TCP_SEG 32
#define MEMP_NUM_NETBUF 8
#define MEMP_NUM_PBUF 16
#define PBUF_POOL_SIZE 16
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_SELECT_CB 4
#else
#define LWIP_IGMP 1             /* multicast membership (a gateway hearing sensors on a group) */
#define LWIP_LOOPIF_MULTICAST 1 /* groups can be joined on the loopback interface too */
#define MEM_SIZE (1024 * 1024)
#define MEMP_NUM_NETCONN 128
#define MEMP_NUM_TCP_PCB 128
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 32
#define MEMP_NUM_TCP_SEG 512
#define MEMP_NUM_NETBUF 64
#define MEMP_NUM_PBUF 128
#define PBUF_POOL_SIZE 256
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_SELECT_CB 16
#endif
#define MEMP_NUM_TCPIP_MSG_INPKT 64
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
#define TCPIP_MBOX_SIZE 64
#define DEFAULT_TCP_RECVMBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 64
#define DEFAULT_ACCEPTMBOX_SIZE 16
#define DEFAULT_RAW_RECVMBOX_SIZE 16
#define TCPIP_THREAD_STACKSIZE 0
#define TCPIP_THREAD_PRIO 1

/* Debian's port patch makes sockets.c use these; lwIP's own socket headers do not define them. */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) (sin)->sin_len = sizeof(struct sockaddr_in)
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) (sin6)->sin6_len = sizeof(struct sockaddr_in6)
#define IPADDR_SOCKADDR_GET_LEN(addr) (addr)->sa.sa_len

/* sockkit's event loop tells tasks apart with this (src/sys/lwip/requirements.hpp):
   on the hosted pthreads port a task is a POSIX thread; elsewhere the port's
   arch/cc.h defines it. */
#if defined(__linux__) && !defined(SOCKKIT_CURRENT_TASK)
#include <pthread.h>
#include <stdint.h>
#define SOCKKIT_CURRENT_TASK() ((const void*)(uintptr_t)pthread_self())
#endif

/* The pthreads port's core-locking hooks. */
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

#endif /* SOCKKIT_LWIPOPTS_H */
