// SPDX-License-Identifier: MIT
// lwIP's socket layer finds the socket an event belongs to by the number the
// connection remembers, not by the connection. A socket that is closed while
// its connection is still being taken down (a reset arriving, a close waiting
// for its FIN) frees its number at once; the next socket opened takes it, and
// the old connection's last events — "writable", "error" — land on the new
// socket. A client that is still connecting then looks connected: its connect
// returns, and its first write fails with EINPROGRESS. The test plays the old
// connection's part directly, lwIP-only, without sockkit's loop.
#include <gtest/gtest.h>

#include "lwip/api.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"
extern "C" {  // lwIP's private socket header has no C++ guard of its own
#include "lwip/priv/sockets_priv.h"
}

namespace sockkit::test {
namespace {

short ready_for_writing(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return lwip_poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

TEST(LwipStaleEvent, AConnectionThatNoLongerOwnsTheSocketNumberCannotSignalIt) {
  const int fd = lwip_socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  lwip_sock* owner = lwip_socket_dbg_get_socket(fd);
  ASSERT_NE(owner, nullptr);
  // A socket that never connected is neither writable nor in error.
  ASSERT_EQ(ready_for_writing(fd), 0);

  // The departed socket's connection: the socket layer's callback, and the
  // number that now belongs to `fd`.
  netconn* departed = netconn_new_with_callback(NETCONN_TCP, owner->conn->callback);
  ASSERT_NE(departed, nullptr);
  departed->socket = owner->conn->socket;
  LOCK_TCPIP_CORE();  // events come from the tcpip thread, with the core lock held
  departed->callback(departed, NETCONN_EVT_ERROR, 0);
  departed->callback(departed, NETCONN_EVT_SENDPLUS, 0);
  departed->callback(departed, NETCONN_EVT_RCVPLUS, 0);
  UNLOCK_TCPIP_CORE();

  EXPECT_EQ(ready_for_writing(fd), 0) << "the new socket took the old connection's events";
  pollfd readable{fd, POLLIN, 0};
  EXPECT_EQ(lwip_poll(&readable, 1, 0), 0);

  departed->socket = -1;  // its own deletion signals nothing to `fd`
  netconn_delete(departed);
  EXPECT_EQ(lwip_close(fd), 0);
}

}  // namespace
}  // namespace sockkit::test
