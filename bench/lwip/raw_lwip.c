// SPDX-License-Identifier: MIT
/* See raw_lwip.h. Plain lwIP sockets: non-blocking, lwip_poll, one buffer. */
#include "raw_lwip.h"

#include <string.h>
#include <time.h>

#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

static int started;

static void signal_started(void* sem) {
  sys_sem_signal((sys_sem_t*)sem);
}

void raw_lwip_start_stack(void) {
  if (started) return;
  sys_sem_t up;
  sys_sem_new(&up, 0);
  tcpip_init(signal_started, &up);
  sys_sem_wait(&up);
  sys_sem_free(&up);
  started = 1;
}

static struct sockaddr_in loopback(unsigned short port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_len = sizeof sa;
  sa.sin_family = AF_INET;
  sa.sin_port = lwip_htons(port);
  sa.sin_addr.s_addr = lwip_htonl(0x7f000001);
  return sa;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned char pattern(size_t i) {
  return (unsigned char)((i * 2654435761u) >> 11);
}

double raw_lwip_echo_client(unsigned short port, size_t total, size_t chunk) {
  static unsigned char out[65536], in[65536];
  if (chunk > sizeof out) chunk = sizeof out;
  int fd = lwip_socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in to = loopback(port);
  if (fd < 0 || lwip_connect(fd, (struct sockaddr*)&to, sizeof to) != 0) return -1;
  lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
  int one = 1; /* as sockkit's connections do by default */
  lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  size_t sent = 0, received = 0;
  const double start = now_s();
  while (received < total) {
    struct pollfd p = {fd, (short)(POLLIN | (sent < total ? POLLOUT : 0)), 0};
    if (lwip_poll(&p, 1, 5000) <= 0) break; /* stalled for 5 s: give up */
    if (sent < total && (p.revents & POLLOUT)) {
      size_t n = total - sent < chunk ? total - sent : chunk;
      for (size_t i = 0; i < n; ++i)
        out[i] = pattern(sent + i);
      ssize_t w = lwip_send(fd, out, n, 0);
      if (w > 0) sent += (size_t)w;
    }
    if (p.revents & (POLLIN | POLLERR)) {
      ssize_t r = lwip_recv(fd, in, sizeof in, 0);
      if (r == 0 || (r < 0 && errno != EAGAIN)) break;
      for (ssize_t i = 0; i < r; ++i)
        if (in[i] != pattern(received + (size_t)i)) {
          lwip_close(fd);
          return -2; /* corrupted */
        }
      if (r > 0) received += (size_t)r;
    }
  }
  const double took = now_s() - start;
  lwip_close(fd);
  return received == total ? took : -1;
}

static int server_listener = -1;

static void echo_server(void* arg) {
  (void)arg;
  static unsigned char buf[65536];
  for (;;) {
    int fd = lwip_accept(server_listener, NULL, NULL);
    if (fd < 0) return;
    lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
    int one = 1;
    lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t head = 0, tail = 0; /* pending echo is buf[head, tail) */
    for (;;) {
      short want = (short)((tail < sizeof buf ? POLLIN : 0) | (tail > head ? POLLOUT : 0));
      struct pollfd p = {fd, want, 0};
      if (lwip_poll(&p, 1, -1) <= 0) break;
      if (p.revents & POLLOUT) {
        ssize_t w = lwip_send(fd, buf + head, tail - head, 0);
        if (w > 0) head += (size_t)w;
        if (head == tail) head = tail = 0;
      }
      if (p.revents & (POLLIN | POLLERR)) {
        if (tail == sizeof buf && head > 0) { /* make room */
          memmove(buf, buf + head, tail - head);
          tail -= head;
          head = 0;
        }
        ssize_t r = lwip_recv(fd, buf + tail, sizeof buf - tail, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN)) break;
        if (r > 0) tail += (size_t)r;
      }
    }
    lwip_close(fd);
  }
}

unsigned short raw_lwip_echo_server_start(void) {
  raw_lwip_start_stack();
  server_listener = lwip_socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in at = loopback(0);
  socklen_t len = sizeof at;
  if (lwip_bind(server_listener, (struct sockaddr*)&at, sizeof at) != 0 ||
      lwip_listen(server_listener, 4) != 0 ||
      lwip_getsockname(server_listener, (struct sockaddr*)&at, &len) != 0)
    return 0;
  sys_thread_new("raw_echo", echo_server, NULL, 0, 1);
  return lwip_ntohs(at.sin_port);
}
