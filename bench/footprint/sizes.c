// SPDX-License-Identifier: MIT
/* Per-connection RAM that lwIP itself needs, read from the symbol sizes of
 * this object (nm -S), so the same file works for any target compiler. */
#include "lwip/api.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/tcp.h"

char size_of_tcp_pcb[sizeof(struct tcp_pcb)];
char size_of_netconn[sizeof(struct netconn)];
char size_of_lwip_sock[sizeof(struct lwip_sock)];
