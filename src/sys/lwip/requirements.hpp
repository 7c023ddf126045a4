// SPDX-License-Identifier: MIT
// What sockkit needs from an lwIP configuration (lwipopts.h), checked when
// sockkit is compiled, each with the reason. docs/porting.md lists them too.
#pragma once

#include "lwip/opt.h"

#if NO_SYS
#error \
    "sockkit needs NO_SYS=0: it uses lwIP's sockets API, which needs an OS (threads, mutexes, semaphores)"
#endif
#if !LWIP_SOCKET || !LWIP_NETCONN
#error \
    "sockkit needs LWIP_SOCKET=1 and LWIP_NETCONN=1: every socket sockkit opens is an lwIP socket"
#endif
#if !LWIP_TCPIP_CORE_LOCKING
#error \
    "sockkit needs LWIP_TCPIP_CORE_LOCKING=1: it aborts connections and adds interfaces under LOCK_TCPIP_CORE(), which does nothing without core locking"
#endif
#if LWIP_COMPAT_SOCKETS
#error \
    "sockkit needs LWIP_COMPAT_SOCKETS=0: the compatibility macros rename connect, bind, listen, accept, close and shutdown everywhere, sockkit's own C++ members included"
#endif
#if !SO_REUSE
#error \
    "sockkit needs SO_REUSE=1: every listener sets SO_REUSEADDR, which lwIP refuses without it, so no server could start"
#endif
#if !LWIP_NETIF_LOOPBACK || !LWIP_HAVE_LOOPIF
#error \
    "sockkit needs LWIP_NETIF_LOOPBACK=1 and LWIP_HAVE_LOOPIF=1: the event loop is woken by a datagram to 127.0.0.1"
#endif
#if !LWIP_IPV4 || !LWIP_UDP || !LWIP_TCP
#error "sockkit needs LWIP_IPV4=1, LWIP_UDP=1 and LWIP_TCP=1"
#endif
#if !LWIP_SOCKET_SELECT || !LWIP_SOCKET_POLL
#error \
    "sockkit needs LWIP_SOCKET_SELECT=1 and LWIP_SOCKET_POLL=1: the event loop's backends on lwIP are select() and poll()"
#endif
#if !LWIP_SO_RCVTIMEO || !LWIP_SO_SNDTIMEO
#error \
    "sockkit needs LWIP_SO_RCVTIMEO=1 and LWIP_SO_SNDTIMEO=1: blocking calls take timeouts (connect, read_exact, write_all)"
#endif
#if !LWIP_TCP_KEEPALIVE
#error \
    "sockkit needs LWIP_TCP_KEEPALIVE=1: clients set keepalive idle, interval and count to find dead peers"
#endif
#if !LWIP_SO_LINGER
#error "sockkit needs LWIP_SO_LINGER=1: Socket::set_linger and abortive closes use it"
#endif
#if !TCP_LISTEN_BACKLOG
#error \
    "sockkit needs TCP_LISTEN_BACKLOG=1: listen()'s backlog must bound the accept queue, or a SYN flood fills the device's memory"
#endif
#if !defined(SOCKKIT_CURRENT_TASK)
#error \
    "sockkit needs SOCKKIT_CURRENT_TASK() in lwipopts.h: an expression naming the running RTOS task as a pointer (xTaskGetCurrentTaskHandle() on FreeRTOS, k_current_get() on Zephyr), for the event loop's thread checks"
#endif
