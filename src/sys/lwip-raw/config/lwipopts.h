// SPDX-License-Identifier: MIT
/* sockkit's lwIP configuration for the bare-metal stack (SOCKKIT_STACK=lwip-raw):
 * NO_SYS=1, lwIP's raw (callback) API only — no sockets, no netconn, no tcpip
 * thread, no RTOS. The event loop drives the stack: it hands received frames
 * to lwIP, runs lwIP's timeouts and sleeps until the next event or deadline.
 * Two profiles, as for lwIP's sockets (docs/lwip.md):
 *   SOCKKIT_LWIP_CONSTRAINED  like a device: 8 TCP PCBs, 4 x MSS windows, 32 KiB heap
 *   otherwise (roomy)         for functional tests */
#ifndef SOCKKIT_LWIPOPTS_H
#define SOCKKIT_LWIPOPTS_H

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_TIMERS 1 /* sys_check_timeouts(), called by the loop */
#define SYS_LIGHTWEIGHT_PROT 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_DHCP 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_NETIF_LOOPBACK 1 /* 127.0.0.1, delivered when the loop polls the interfaces */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_STATS 0
#define SO_REUSE 1         /* SO_REUSEADDR on listeners, as on Linux */
#define IP_SOF_BROADCAST 1 /* sending a broadcast needs the broadcast option, as on Linux */
#define TCP_LISTEN_BACKLOG \
  1 /* the backlog bounds the accept queue: a SYN flood cannot fill memory */
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_CALLBACK_API 1

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
#define LWIP_IGMP 0
#define MEM_SIZE (32 * 1024)
#define MEMP_NUM_TCP_PCB 8
#define MEMP_NUM_TCP_PCB_LISTEN 4
#define MEMP_NUM_UDP_PCB 6
#define MEMP_NUM_TCP_SEG 32
#define MEMP_NUM_PBUF 16
#define PBUF_POOL_SIZE 16
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define SOCKKIT_RAW_DATAGRAM_QUEUE 8 /* unread datagrams per UDP socket */
#else
#define LWIP_IGMP 1
#define LWIP_LOOPIF_MULTICAST 1
#define MEM_SIZE (1024 * 1024)
#define MEMP_NUM_TCP_PCB 128
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 32
#define MEMP_NUM_TCP_SEG 512
#define MEMP_NUM_PBUF 128
#define PBUF_POOL_SIZE 256
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define SOCKKIT_RAW_DATAGRAM_QUEUE 64
#endif
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)

#endif
