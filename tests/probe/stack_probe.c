// SPDX-License-Identifier: MIT
/* The same raw Berkeley-sockets probe compiled for two stacks: the Linux
 * kernel (default) and lwIP (-DPROBE_LWIP, linked with sockkit's lwIP build).
 * It prints what each stack natively does in the cases where they differ;
 * docs/linux-vs-lwip.md is made from its output, and sockkit's normalisation of
 * each row is covered by the foundation tests that run on both stacks.
 *
 *   build/release/tests/stack_probe_linux ; build/lwip/tests/stack_probe_lwip
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef PROBE_LWIP
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#define P(name) lwip_##name
#define STACK "lwIP 2.1.3"
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#define P(name) name
#define STACK "Linux"
#endif

static const char* errno_name(int e) {
  switch (e) {
    case 0:
      return "0";
    case EAGAIN:
      return "EAGAIN";
    case EBADF:
      return "EBADF";
    case ECONNREFUSED:
      return "ECONNREFUSED";
    case ECONNRESET:
      return "ECONNRESET";
    case ECONNABORTED:
      return "ECONNABORTED";
    case EPIPE:
      return "EPIPE";
    case ENOTCONN:
      return "ENOTCONN";
    case EISCONN:
      return "EISCONN";
    case EADDRINUSE:
      return "EADDRINUSE";
    case ENOPROTOOPT:
      return "ENOPROTOOPT";
    case EMFILE:
      return "EMFILE";
    case ENFILE:
      return "ENFILE";
    case ENOBUFS:
      return "ENOBUFS";
    case ENOMEM:
      return "ENOMEM";
    case EINVAL:
      return "EINVAL";
    case EINPROGRESS:
      return "EINPROGRESS";
    default:
      return "other";
  }
}

static char cell[128];
static const char* result(int rc) {
  if (rc < 0)
    snprintf(cell, sizeof cell, "-1 %s", errno_name(errno));
  else
    snprintf(cell, sizeof cell, "%d", rc);
  return cell;
}

static void row(const char* what, const char* value) {
  printf("| %s | %s |\n", what, value);
}

static struct sockaddr_in loopback(unsigned short port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
#ifdef PROBE_LWIP
  sa.sin_len = sizeof sa;
#endif
  sa.sin_family = AF_INET;
  sa.sin_port = P(htons)(port);
  sa.sin_addr.s_addr = P(htonl)(0x7f000001);
  return sa;
}

/* A listener on an ephemeral loopback port; its port in *port. */
static int listener(unsigned short* port) {
  int s = P(socket)(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = loopback(0);
  socklen_t len = sizeof sa;
  P(bind)(s, (struct sockaddr*)&sa, sizeof sa);
  P(listen)(s, 8);
  P(getsockname)(s, (struct sockaddr*)&sa, &len);
  *port = P(ntohs)(sa.sin_port);
  return s;
}

/* A connected pair: *client and *server. */
static int pair(int* client, int* server, int* listen_fd) {
  unsigned short port;
  *listen_fd = listener(&port);
  *client = P(socket)(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in to = loopback(port);
  if (P(connect)(*client, (struct sockaddr*)&to, sizeof to) != 0) return -1;
  *server = P(accept)(*listen_fd, NULL, NULL);
  return *server < 0 ? -1 : 0;
}

static void pause_ms(int ms) {
#ifdef PROBE_LWIP
  sys_msleep((u32_t)ms);
#else
  usleep((useconds_t)ms * 1000);
#endif
}

static void close_all(int a, int b, int c) {
  if (a >= 0) P(close)(a);
  if (b >= 0) P(close)(b);
  if (c >= 0) P(close)(c);
}

int main(void) {
  int c, s, l;
  char buf[64];
  char text[160];
#ifdef PROBE_LWIP
  sys_sem_t up;
  sys_sem_new(&up, 0);
  tcpip_init((tcpip_init_done_fn)sys_sem_signal, &up);
  sys_sem_wait(&up);
#else
  signal(SIGPIPE, SIG_IGN); /* the row below shows the error, not the signal */
#endif
  printf("| case (%s) | result |\n|---|---|\n", STACK);

  { /* connect with no listener */
    unsigned short port;
    int gone = listener(&port);
    P(close)(gone);
    int x = P(socket)(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = loopback(port);
    row("connect, no listener", result(P(connect)(x, (struct sockaddr*)&to, sizeof to)));
    P(close)(x);
  }
  { /* send after the peer closed: first and second send */
    pair(&c, &s, &l);
    P(close)(s);
    pause_ms(50);
    int first = (int)P(send)(c, "x", 1, 0);
    int e1 = first < 0 ? errno : 0;
    pause_ms(50);
    int second = (int)P(send)(c, "x", 1, 0);
    int e2 = second < 0 ? errno : 0;
    pause_ms(50);
    int third = (int)P(send)(c, "x", 1, 0);
    int e3 = third < 0 ? errno : 0;
    snprintf(text, sizeof text, "%d %s, then %d %s, then %d %s", first, errno_name(e1), second,
             errno_name(e2), third, errno_name(e3));
    row("send x3 after peer closed (SIGPIPE ignored)", text);
    close_all(c, -1, l);
  }
  { /* recv after EOF, twice */
    pair(&c, &s, &l);
    P(close)(s);
    pause_ms(50);
    int first = (int)P(recv)(c, buf, sizeof buf, 0);
    snprintf(text, sizeof text, "%d, then %s", first, result((int)P(recv)(c, buf, sizeof buf, 0)));
    row("recv at EOF, then again", text);
    close_all(c, -1, l);
  }
  { /* send after own shutdown(SHUT_WR) */
    pair(&c, &s, &l);
    P(shutdown)(c, SHUT_WR);
    row("send after own shutdown(SHUT_WR)", result((int)P(send)(c, "x", 1, 0)));
    close_all(c, s, l);
  }
  { /* poll with one stale descriptor, and POLLHUP on hang-up */
    pair(&c, &s, &l);
    int stale = P(socket)(AF_INET, SOCK_STREAM, 0);
    P(close)(stale);
    struct pollfd fds[2] = {{c, POLLIN, 0}, {stale, POLLIN, 0}};
    int n = P(poll)(fds, 2, 0);
    snprintf(text, sizeof text, "%s, stale revents%s%s%s%s", result(n),
             (fds[1].revents & POLLIN) ? " POLLIN" : "",
             (fds[1].revents & POLLERR) ? " POLLERR" : "",
             (fds[1].revents & POLLNVAL) ? " POLLNVAL" : "", fds[1].revents == 0 ? " 0" : "");
    row("poll() exists; with one stale fd", text);
    P(close)(s);
    pause_ms(50);
    struct pollfd hup = {c, POLLIN, 0};
    P(poll)(&hup, 1, 100);
    snprintf(text, sizeof text, "revents POLLIN=%d POLLHUP=%d", !!(hup.revents & POLLIN),
             !!(hup.revents & POLLHUP));
    row("poll() after the peer closed", text);
    close_all(c, -1, l);
  }
  { /* connect again after success */
    unsigned short port;
    l = listener(&port);
    c = P(socket)(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = loopback(port);
    P(connect)(c, (struct sockaddr*)&to, sizeof to);
    row("connect again after success", result(P(connect)(c, (struct sockaddr*)&to, sizeof to)));
    close_all(c, -1, l);
  }
  { /* SO_LINGER {1, 0} then close, nothing unsent: what the peer reads */
    pair(&c, &s, &l);
    struct linger hard = {1, 0};
    P(setsockopt)(c, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    P(close)(c);
    pause_ms(50);
    int n = (int)P(recv)(s, buf, sizeof buf, 0);
    row("peer's recv after SO_LINGER {1,0} + close", n == 0 ? "0 (FIN)" : result(n));
    close_all(-1, s, l);
  }
  { /* two listeners on one port, both SO_REUSEADDR */
    unsigned short port;
    int one = 1;
    int a = P(socket)(AF_INET, SOCK_STREAM, 0);
    P(setsockopt)(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = loopback(0);
    socklen_t len = sizeof sa;
    P(bind)(a, (struct sockaddr*)&sa, sizeof sa);
    P(listen)(a, 4);
    P(getsockname)(a, (struct sockaddr*)&sa, &len);
    port = P(ntohs)(sa.sin_port);
    int b = P(socket)(AF_INET, SOCK_STREAM, 0);
    P(setsockopt)(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in again = loopback(port);
    int bound = P(bind)(b, (struct sockaddr*)&again, sizeof again);
    int be = errno;
    int listened = bound == 0 ? P(listen)(b, 4) : 0;
    snprintf(text, sizeof text, "bind %d%s%s, listen %s", bound, bound < 0 ? " " : "",
             bound < 0 ? errno_name(be) : "", bound == 0 ? result(listened) : "not reached");
    row("second SO_REUSEADDR listener on the port", text);
    close_all(a, b, -1);
  }
  { /* options */
    int x = P(socket)(AF_INET, SOCK_STREAM, 0);
    int size = 32768, one = 1, value = 0;
    socklen_t len = sizeof value;
    row("setsockopt SO_SNDBUF",
        result(P(setsockopt)(x, SOL_SOCKET, SO_SNDBUF, &size, sizeof size)));
    row("setsockopt SO_RCVBUF",
        result(P(setsockopt)(x, SOL_SOCKET, SO_RCVBUF, &size, sizeof size)));
    P(setsockopt)(x, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    P(getsockopt)(x, SOL_SOCKET, SO_REUSEADDR, &value, &len);
    snprintf(text, sizeof text, "%d", value);
    row("getsockopt SO_REUSEADDR after setting 1", text);
    P(setsockopt)(x, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    P(getsockopt)(x, SOL_SOCKET, SO_KEEPALIVE, &value, &len);
    snprintf(text, sizeof text, "%d", value);
    row("getsockopt SO_KEEPALIVE after setting 1", text);
    int idle = 30;
    row("setsockopt TCP_KEEPIDLE 30 s",
        result(P(setsockopt)(x, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle)));
    P(close)(x);
  }
  { /* non-blocking recv with nothing pending */
    pair(&c, &s, &l);
    P(fcntl)(c, F_SETFL, P(fcntl)(c, F_GETFL, 0) | O_NONBLOCK);
    row("non-blocking recv, nothing pending", result((int)P(recv)(c, buf, sizeof buf, 0)));
    close_all(c, s, l);
  }
  { /* UDP: a 10-byte datagram into a 4-byte buffer */
    int rx = P(socket)(AF_INET, SOCK_DGRAM, 0), tx = P(socket)(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = loopback(0);
    socklen_t len = sizeof sa;
    P(bind)(rx, (struct sockaddr*)&sa, sizeof sa);
    P(getsockname)(rx, (struct sockaddr*)&sa, &len);
    P(sendto)(tx, "0123456789", 10, 0, (struct sockaddr*)&sa, sizeof sa);
    pause_ms(20);
    row("recv of a 10-byte datagram into 4 bytes returns", result((int)P(recv)(rx, buf, 4, 0)));
    close_all(rx, tx, -1);
  }
  { /* out of sockets */
#ifndef PROBE_LWIP
    struct rlimit low = {64, 64};
    setrlimit(RLIMIT_NOFILE, &low);
#endif
    int opened[1100], n = 0, e = 0;
    for (; n < 1100; ++n) {
      opened[n] = P(socket)(AF_INET, SOCK_STREAM, 0);
      if (opened[n] < 0) {
        e = errno;
        break;
      }
    }
    snprintf(text, sizeof text, "-1 %s after %d", errno_name(e), n);
    row("socket() until it fails (Linux: RLIMIT_NOFILE 64)", text);
    for (int i = 0; i < n; ++i)
      P(close)(opened[i]);
  }
  printf("\nprobe complete\n");
  return 0;
}
