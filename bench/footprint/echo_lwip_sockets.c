// SPDX-License-Identifier: MIT
// The footprint baseline: the same TCP echo server as echo_min.cpp (port 7,
// four clients at most, backpressure, the stack started by the program),
// written directly on lwIP's sockets and poll(), as a firmware author would
// without sockkit. bench/footprint.sh subtracts this image from each sockkit
// image built the same way, so what is left is what sockkit costs.
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include <string.h>

enum { kClients = 4, kChunk = 512 };

struct client {
  int fd;
  int pending;  // bytes read but not yet written back
  char buf[kChunk];
};

static void started(void* sem) {
  sys_sem_signal((sys_sem_t*)sem);
}

static int start_stack(void) {
  sys_sem_t done;
  if (sys_sem_new(&done, 0) != ERR_OK) return -1;
  tcpip_init(started, &done);
  sys_sem_wait(&done);
  sys_sem_free(&done);
  return 0;
}

static int listen_on(unsigned short port) {
  struct sockaddr_in a;
  int one = 1;
  const int fd = lwip_socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = lwip_htons(port);
  lwip_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (lwip_bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || lwip_listen(fd, kClients) != 0 ||
      lwip_fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
    lwip_close(fd);
    return -1;
  }
  return fd;
}

static void drop(struct client* c) {
  lwip_close(c->fd);
  c->fd = -1;
  c->pending = 0;
}

// Reads when nothing is pending, writes back what is; a client that does not
// read stops being read from (backpressure).
static void serve(struct client* c, short revents) {
  if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
    drop(c);
    return;
  }
  if ((revents & POLLIN) && c->pending == 0) {
    const int n = lwip_recv(c->fd, c->buf, sizeof c->buf, 0);
    if (n == 0 || (n < 0 && errno != EWOULDBLOCK)) {
      drop(c);
      return;
    }
    if (n > 0) c->pending = n;
  }
  if (c->pending > 0) {
    const int n = lwip_send(c->fd, c->buf, (size_t)c->pending, 0);
    if (n < 0 && errno != EWOULDBLOCK) {
      drop(c);
      return;
    }
    if (n > 0) {
      memmove(c->buf, c->buf + n, (size_t)(c->pending - n));
      c->pending -= n;
    }
  }
}

int main(void) {
  struct client clients[kClients];
  struct pollfd fds[kClients + 1];
  int listener, i;
  if (start_stack() != 0 || (listener = listen_on(7)) < 0) return 1;
  for (i = 0; i < kClients; ++i)
    clients[i].fd = -1;
  for (;;) {
    fds[0].fd = listener;
    fds[0].events = POLLIN;
    for (i = 0; i < kClients; ++i) {
      fds[i + 1].fd = clients[i].fd;
      fds[i + 1].events = clients[i].pending > 0 ? POLLOUT : POLLIN;
    }
    if (lwip_poll(fds, kClients + 1, -1) < 0) return 1;
    for (i = 0; i < kClients; ++i)
      if (clients[i].fd >= 0 && fds[i + 1].revents != 0) serve(&clients[i], fds[i + 1].revents);
    if (fds[0].revents & POLLIN) {
      const int fd = lwip_accept(listener, NULL, NULL);
      for (i = 0; fd >= 0 && i < kClients && clients[i].fd >= 0; ++i) {
      }
      if (fd >= 0 && i == kClients) lwip_close(fd);  // full: refused
      if (fd >= 0 && i < kClients) {
        lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
        clients[i].fd = fd;
        clients[i].pending = 0;
      }
    }
  }
}
