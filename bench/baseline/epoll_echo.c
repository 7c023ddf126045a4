// SPDX-License-Identifier: MIT
/* The baseline: a raw epoll echo server in plain C, written the way a careful
 * embedded engineer would without a library. Level-triggered; each readable
 * socket is read once and echoed at once; bytes the socket refuses wait in a
 * per-connection buffer (and reading pauses) until it is writable again.
 *
 *   epoll_echo PORT [--once]     --once: exit after the first client leaves
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen_loopback.h"

enum { BUF = 64 * 1024, MAX_EVENTS = 256 };

struct conn {
  int fd;
  size_t pending_off, pending_len; /* unsent echo bytes */
  char* pending;
};

static int ep;

static void drop(struct conn* c) {
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->pending);
  free(c);
}

static int flush(struct conn* c) { /* 1 = all sent, 0 = would block, -1 = error */
  while (c->pending_off < c->pending_len) {
    ssize_t n =
        send(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off, MSG_NOSIGNAL);
    if (n < 0) return (errno == EAGAIN) ? 0 : -1;
    c->pending_off += (size_t)n;
  }
  c->pending_off = c->pending_len = 0;
  return 1;
}

static void watch(struct conn* c, unsigned events) {
  struct epoll_event ev = {.events = events, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT [--once]\n", argv[0]);
    return 2;
  }
  const int once = argc > 2 && strcmp(argv[2], "--once") == 0;
  const int lfd = listen_loopback(argv[1], SOCK_NONBLOCK);
  if (lfd < 0) return 1;
  int one = 1;
  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
  printf("listening on 127.0.0.1:%s (baseline)\n", argv[1]);
  fflush(stdout);
  static char buf[BUF];
  struct epoll_event evs[MAX_EVENTS];
  int served = 0, open_conns = 0;
  for (;;) {
    int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; ++i) {
      struct conn* c = evs[i].data.ptr;
      if (c == NULL) { /* listener */
        for (;;) {
          int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          c = calloc(1, sizeof *c);
          c->fd = fd;
          struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
          ++open_conns;
          ++served;
        }
        continue;
      }
      if (evs[i].events & EPOLLOUT) {
        int r = flush(c);
        if (r < 0) {
          drop(c);
          --open_conns;
          continue;
        }
        if (r == 1) watch(c, EPOLLIN);
        continue;
      }
      ssize_t got = recv(c->fd, buf, sizeof buf, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        drop(c);
        if (--open_conns == 0 && once && served > 0) return 0;
        continue;
      }
      ssize_t sent = send(c->fd, buf, (size_t)got, MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno != EAGAIN) {
          drop(c);
          --open_conns;
          continue;
        }
        sent = 0;
      }
      if (sent < got) { /* keep the rest, stop reading until it is written */
        c->pending = realloc(c->pending, (size_t)(got - sent));
        memcpy(c->pending, buf + sent, (size_t)(got - sent));
        c->pending_off = 0;
        c->pending_len = (size_t)(got - sent);
        watch(c, EPOLLOUT);
      }
    }
  }
}
