// SPDX-License-Identifier: MIT
// What the bare-metal stack needs from an lwIP configuration (lwipopts.h),
// checked when sockkit is compiled, each with the reason.
#pragma once

#include "lwip/opt.h"

#if !NO_SYS
#error \
    "sockkit's bare-metal stack (lwip-raw) needs NO_SYS=1: it drives lwIP from the event loop; with an RTOS, use SOCKKIT_STACK=lwip"
#endif
#if !LWIP_CALLBACK_API
#error \
    "sockkit's bare-metal stack needs LWIP_CALLBACK_API=1: it hears lwIP through tcp_recv and friends"
#endif
#if !LWIP_IPV4 || !LWIP_UDP || !LWIP_TCP
#error "sockkit needs LWIP_IPV4=1, LWIP_UDP=1 and LWIP_TCP=1"
#endif
#if !LWIP_NETIF_LOOPBACK || !LWIP_HAVE_LOOPIF
#error \
    "sockkit needs LWIP_NETIF_LOOPBACK=1 and LWIP_HAVE_LOOPIF=1: 127.0.0.1 must exist, as on every stack"
#endif
#if !SO_REUSE
#error "sockkit needs SO_REUSE=1: every listener sets SO_REUSEADDR"
#endif
#if !TCP_LISTEN_BACKLOG
#error \
    "sockkit needs TCP_LISTEN_BACKLOG=1: listen()'s backlog must bound the accept queue, or a SYN flood fills the device's memory"
#endif
#if !LWIP_TCP_KEEPALIVE
#error "sockkit needs LWIP_TCP_KEEPALIVE=1: clients set keepalive idle, interval and count"
#endif
