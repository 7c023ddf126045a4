// SPDX-License-Identifier: MIT
/* libevent's echo server as its book writes one, for bench/compare.sh: a
 * bufferevent per connection whose input buffer is moved to its output
 * buffer; reading is disabled while more than 1 MiB waits to be written and
 * enabled again once the output has drained below 256 KiB. Reads take up to
 * 64 KiB at a time, as the other servers'.
 *   bench_libevent_echo PORT */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { HIGH = 1 << 20, LOW = 256 << 10 };

static void read_cb(struct bufferevent* bev, void* ctx) {
  (void)ctx;
  struct evbuffer* out = bufferevent_get_output(bev);
  evbuffer_add_buffer(out, bufferevent_get_input(bev));
  if (evbuffer_get_length(out) > HIGH) {
    bufferevent_disable(bev, EV_READ);
    bufferevent_setwatermark(bev, EV_WRITE, LOW, 0);
  }
}

static void write_cb(struct bufferevent* bev, void* ctx) {
  (void)ctx; /* called once the output fell to the low watermark */
  bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
  bufferevent_enable(bev, EV_READ);
}

static void event_cb(struct bufferevent* bev, short events, void* ctx) {
  (void)ctx;
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) bufferevent_free(bev);
}

static void accept_cb(struct evconnlistener* listener, evutil_socket_t fd, struct sockaddr* a,
                      int len, void* ctx) {
  (void)a;
  (void)len;
  (void)ctx;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct event_base* base = evconnlistener_get_base(listener);
  struct bufferevent* bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_set_max_single_read(bev, 64 * 1024); /* 4 KiB by default: as the others read */
  bufferevent_setcb(bev, read_cb, write_cb, event_cb, NULL);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

int main(int argc, char** argv) {
  if (argc < 2) return fprintf(stderr, "usage: bench_libevent_echo PORT\n"), 2;
  struct event_base* base = event_base_new();
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((unsigned short)atoi(argv[1]));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct evconnlistener* listener =
      evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                              4096, (struct sockaddr*)&sin, sizeof sin);
  if (!listener) return fprintf(stderr, "bench_libevent_echo: cannot listen on %s\n", argv[1]), 1;
  printf("listening on 127.0.0.1:%s\n", argv[1]);
  fflush(stdout);
  return event_base_dispatch(base);
}
