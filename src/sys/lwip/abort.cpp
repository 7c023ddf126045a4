// SPDX-License-Identifier: MIT
// The abortive close (RST) on lwIP: the one place sockkit reaches into an lwIP
// private header, isolated here.
//
// Why: lwIP's public sockets API has no way to reset a connection. SO_LINGER
// {1, 0} resets only when data is still unsent and otherwise sends a FIN, and
// the public netconn API cannot be reached from a socket number. So the socket's
// netconn is looked up with lwip_socket_dbg_get_socket() (declared only in
// lwip/priv/sockets_priv.h, which lwIP has had since 2.1) and its PCB aborted with
// tcp_abort(), under the core lock, exactly as lwIP does itself when a connection
// must die. A port to an lwIP whose struct lwip_sock differs changes this file only.
#include "lwip/api.h"
extern "C" {  // lwIP's private header has no C++ guard
#include "lwip/priv/sockets_priv.h"
}
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

Status abort(NativeHandle h) noexcept {
  // The netconn hears ERR_ABRT and the close below only frees it.
  lwip_sock* sock = lwip_socket_dbg_get_socket(h.value);
  if (sock == nullptr) return lwip::error(EBADF);
  LOCK_TCPIP_CORE();
  netconn* conn = sock->conn;
  if (conn != nullptr && NETCONNTYPE_GROUP(netconn_type(conn)) == NETCONN_TCP &&
      conn->pcb.tcp != nullptr && conn->pcb.tcp->state != LISTEN && conn->pcb.tcp->state != CLOSED)
    tcp_abort(conn->pcb.tcp);
  UNLOCK_TCPIP_CORE();
  return close(h);
}

}  // namespace sockkit::sys
