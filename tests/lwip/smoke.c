// SPDX-License-Identifier: MIT
/* lwIP as built by cmake/lwip.cmake really runs: start the stack, listen on its
 * own loopback (127.0.0.1), connect, and push 256 KiB through a reader thread,
 * verified byte for byte. On the constrained profile that is dozens of full
 * 4 x MSS windows. Only lwIP headers here: they clash with the OS socket headers.
 * Exit status 0 on success; a one-line reason otherwise. Bounded by SO_RCVTIMEO. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

enum { TOTAL = 256 * 1024, PORT = 7000 };

static sys_sem_t started;
static int server_fd = -1;
static unsigned long received = 0, mismatches = 0;

static unsigned char pattern(unsigned long i) {
  return (unsigned char)((i * 7 + i / 251) & 0xff);
}

static void on_started(void* arg) {
  (void)arg;
  sys_sem_signal(&started);
}

static void* reader(void* arg) {
  (void)arg;
  unsigned char buf[2048];
  for (;;) {
    ssize_t n = lwip_recv(server_fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    for (ssize_t k = 0; k < n; ++k)
      mismatches += buf[k] != pattern(received + (unsigned long)k);
    received += (unsigned long)n;
  }
  return NULL;
}

int main(void) {
  if (sys_sem_new(&started, 0) != ERR_OK) return puts("lwip smoke: no semaphore"), 1;
  tcpip_init(on_started, NULL);
  sys_sem_wait(&started);

  int listener = lwip_socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in at;
  memset(&at, 0, sizeof at);
  at.sin_len = sizeof at;
  at.sin_family = AF_INET;
  at.sin_port = lwip_htons(PORT);
  at.sin_addr.s_addr = lwip_htonl(0x7f000001);
  if (listener < 0 || lwip_bind(listener, (struct sockaddr*)&at, sizeof at) != 0 ||
      lwip_listen(listener, 2) != 0)
    return printf("lwip smoke: listen failed, errno %d\n", errno), 1;
  int client = lwip_socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0 || lwip_connect(client, (struct sockaddr*)&at, sizeof at) != 0)
    return printf("lwip smoke: connect failed, errno %d\n", errno), 1;
  server_fd = lwip_accept(listener, NULL, NULL);
  if (server_fd < 0) return printf("lwip smoke: accept failed, errno %d\n", errno), 1;
  struct timeval limit = {10, 0}; /* nothing may hang */
  lwip_setsockopt(server_fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  lwip_setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);

  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  unsigned char chunk[1000];
  for (unsigned long sent = 0; sent < TOTAL;) {
    size_t n = sizeof chunk < TOTAL - sent ? sizeof chunk : TOTAL - sent;
    for (size_t k = 0; k < n; ++k)
      chunk[k] = pattern(sent + k);
    ssize_t w = lwip_send(client, chunk, n, 0);
    if (w <= 0)
      return printf("lwip smoke: send failed after %lu bytes, errno %d\n", sent, errno), 1;
    sent += (unsigned long)w;
  }
  lwip_shutdown(client, SHUT_WR); /* the reader sees EOF after the last byte */
  pthread_join(t, NULL);
  lwip_close(client);
  lwip_close(server_fd);
  lwip_close(listener);
  if (received != TOTAL || mismatches != 0)
    return printf("lwip smoke: received %lu of %d bytes, %lu wrong\n", received, TOTAL, mismatches),
           1;
  printf("lwip smoke: %d bytes over lwIP loopback, all intact\n", TOTAL);
  return 0;
}
