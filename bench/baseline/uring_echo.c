// SPDX-License-Identifier: MIT
/* The io_uring baseline: an echo server in plain C on liburing, written the way
 * io_uring is meant to be used. A multishot accept; a multishot receive per
 * connection into a ring of provided buffers; each received buffer is echoed
 * by a send request and goes back to the ring when that send completes. One
 * send is in flight per connection (later buffers queue behind it), so the
 * echo keeps its order. Everything prepared in a turn goes to the kernel in
 * the wait's single io_uring_enter.
 *
 * --sync-send: a received buffer is echoed at once by a send() system call;
 * only what the socket refuses goes to a send request.
 * --inc: 8 buffers of 128 KiB, consumed incrementally (Linux 6.12): a receive
 * takes as much as the socket holds, not one 16 KiB buffer's worth.
 *
 *   uring_echo PORT [--sync-send] [--inc]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen_loopback.h"

enum { MAX_BUFS = 1024, GROUP = 1, QUEUE = 64 };
#ifndef IOU_PBUF_RING_INC
#define IOU_PBUF_RING_INC 2
#endif
#ifndef IORING_CQE_F_BUF_MORE
#define IORING_CQE_F_BUF_MORE (1U << 4)
#endif
static unsigned BUFS = 1024, BUF_SIZE = 16 * 1024;
enum { ACCEPT = 1, RECV = 2, SEND = 3 };

struct conn {
  int fd;
  int dead;         /* an error or EOF: closed once nothing is in flight */
  int in_flight;    /* requests still to complete: receive, send */
  unsigned head, n; /* queued echoes: buffer ids, the first partly sent */
  unsigned sent;    /* bytes of the first already sent */
  unsigned short id[QUEUE];
  unsigned off[QUEUE], len[QUEUE];
};

static struct io_uring ring;
static struct io_uring_buf_ring* bufs;
static char* memory;
static int sync_send, inc;
/* --inc: where the kernel fills each buffer next, pieces still queued, and
 * whether the kernel has moved on to another buffer */
static unsigned fill[MAX_BUFS], users[MAX_BUFS];
static char retired[MAX_BUFS];

static struct io_uring_sqe* sqe_get(void) {
  struct io_uring_sqe* s = io_uring_get_sqe(&ring);
  if (s == NULL) {
    io_uring_submit(&ring);
    s = io_uring_get_sqe(&ring);
  }
  return s;
}

static void tag(struct io_uring_sqe* s, int kind, struct conn* c) {
  io_uring_sqe_set_data64(s, (unsigned long long)(uintptr_t)c << 2 | (unsigned)kind);
}

static void give_back(unsigned short id) {
  if (inc) {
    if (--users[id] > 0 || !retired[id]) return;
    fill[id] = 0;
    retired[id] = 0;
  }
  io_uring_buf_ring_add(bufs, memory + (size_t)id * BUF_SIZE, BUF_SIZE, id,
                        io_uring_buf_ring_mask(BUFS), 0);
  io_uring_buf_ring_advance(bufs, 1);
}

static void arm_recv(struct conn* c) {
  struct io_uring_sqe* s = sqe_get();
  io_uring_prep_recv_multishot(s, c->fd, NULL, 0, 0);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = GROUP;
  tag(s, RECV, c);
  ++c->in_flight;
}

static void send_first(struct conn* c) {
  unsigned at = c->head % QUEUE;
  struct io_uring_sqe* s = sqe_get();
  io_uring_prep_send(s, c->fd, memory + (size_t)c->id[at] * BUF_SIZE + c->off[at] + c->sent,
                     c->len[at] - c->sent, MSG_NOSIGNAL);
  tag(s, SEND, c);
  ++c->in_flight;
}

static void release(struct conn* c) {
  if (--c->in_flight > 0 || !c->dead) return;
  for (; c->n > 0; --c->n, ++c->head)
    give_back(c->id[c->head % QUEUE]);
  close(c->fd);
  free(c);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PORT [--sync-send]\n", argv[0]);
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--sync-send") == 0) sync_send = 1;
    if (strcmp(argv[i], "--inc") == 0) inc = 1;
  }
  if (inc) { /* the same 1 MiB, in fewer, larger buffers */
    BUFS = 8;
    BUF_SIZE = 128 * 1024;
  }
  const int lfd = listen_loopback(argv[1], 0);
  if (lfd < 0) return 1;
  int one = 1;
  struct io_uring_params p = {
      .flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER,
      .cq_entries = 16384};
  int err = io_uring_queue_init_params(1024, &ring, &p);
  bufs = mmap(NULL, BUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memory = mmap(NULL, (size_t)BUFS * BUF_SIZE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  io_uring_buf_ring_init(bufs);
  struct io_uring_buf_reg reg = {
      .ring_addr = (unsigned long)bufs, .ring_entries = BUFS, .bgid = GROUP};
  if (inc) reg.pad = IOU_PBUF_RING_INC; /* "flags" in newer headers */
  if (err == 0) err = io_uring_register_buf_ring(&ring, &reg, 0);
  if (err != 0) {
    fprintf(stderr, "io_uring: %s\n", strerror(-err));
    return 1;
  }
  for (unsigned short id = 0; id < BUFS; ++id) {
    users[id] = 1;
    retired[id] = 1;
    give_back(id);
  }
  struct io_uring_sqe* s = sqe_get();
  io_uring_prep_multishot_accept(s, lfd, NULL, NULL, SOCK_CLOEXEC);
  tag(s, ACCEPT, NULL);
  printf("listening on 127.0.0.1:%s (raw io_uring)\n", argv[1]);
  fflush(stdout);
  for (;;) {
    struct io_uring_cqe* cqe;
    if (io_uring_submit_and_wait(&ring, 1) < 0 && errno != EINTR) continue;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      ++seen;
      unsigned long long data = io_uring_cqe_get_data64(cqe);
      struct conn* c = (struct conn*)(uintptr_t)(data >> 2);
      int res = cqe->res;
      int more = (cqe->flags & IORING_CQE_F_MORE) != 0;
      switch ((int)(data & 3)) {
        case ACCEPT:
          if (res >= 0) {
            setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c = calloc(1, sizeof *c);
            c->fd = res;
            arm_recv(c);
          }
          if (!more) {
            s = sqe_get();
            io_uring_prep_multishot_accept(s, lfd, NULL, NULL, SOCK_CLOEXEC);
            tag(s, ACCEPT, NULL);
          }
          break;
        case RECV:
          if (res > 0) {
            unsigned short id = (unsigned short)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
            unsigned off = 0;
            if (inc) {
              off = fill[id];
              fill[id] += (unsigned)res;
              ++users[id];
              retired[id] = !(cqe->flags & IORING_CQE_F_BUF_MORE);
            }
            if (c->dead || c->n == QUEUE) {
              give_back(id);
              c->dead = 1;
            } else {
              unsigned at = (c->head + c->n++) % QUEUE;
              c->id[at] = id;
              c->off[at] = off;
              c->len[at] = (unsigned)res;
              if (c->n == 1 && sync_send) {
                ssize_t sent = send(c->fd, memory + (size_t)id * BUF_SIZE + off, (size_t)res,
                                    MSG_NOSIGNAL | MSG_DONTWAIT);
                if (sent == res) {
                  give_back(id);
                  c->n = 0;
                  ++c->head;
                } else {
                  c->sent = sent > 0 ? (unsigned)sent : 0;
                  send_first(c);
                }
              } else if (c->n == 1) {
                send_first(c);
              }
            }
          } else if (res != -ENOBUFS) {
            c->dead = 1; /* EOF or error */
          }
          if (!more) {
            if (!c->dead) arm_recv(c); /* ended by the kernel: ask again */
            release(c);
          }
          break;
        case SEND:
          if (res < 0) {
            c->dead = 1;
          } else if (!c->dead) {
            unsigned at = c->head % QUEUE;
            c->sent += (unsigned)res;
            if (c->sent == c->len[at]) {
              give_back(c->id[at]);
              c->sent = 0;
              ++c->head;
              --c->n;
            }
            if (c->n > 0) send_first(c);
          }
          release(c);
          break;
      }
    }
    io_uring_cq_advance(&ring, seen);
  }
}
