// SPDX-License-Identifier: MIT
/* The baselines' listening socket: 127.0.0.1:port, SO_REUSEADDR, a backlog of
 * 4096 (10,000 idle connections arrive in a burst). Returns the descriptor,
 * or -1 with the reason printed. */
#pragma once
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static inline int listen_loopback(const char* port, int socket_flags) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | socket_flags, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)atoi(port)),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof a) != 0 || listen(fd, 4096) != 0) {
    perror("listen");
    return -1;
  }
  return fd;
}
