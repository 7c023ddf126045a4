// SPDX-License-Identifier: MIT
/* libuv's echo server as its guide writes one, for bench/compare.sh: each read
 * lands in a 64 KiB buffer that a uv_write_t takes over and frees when written;
 * reading stops while more than 1 MiB waits to be written (a peer that does
 * not read), and starts again when the queue has drained.
 *   bench_libuv_echo PORT */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

enum { BUF = 64 * 1024, HIGH = 1 << 20 };

typedef struct {
  uv_write_t req;
  uv_buf_t buf;
} write_req;

static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h;
  (void)suggested;
  buf->base = malloc(BUF);
  buf->len = buf->base ? BUF : 0;
}

static void close_cb(uv_handle_t* h) {
  free(h);
}

static void read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);

static void write_cb(uv_write_t* req, int status) {
  write_req* w = (write_req*)req;
  uv_stream_t* s = req->handle;
  free(w->buf.base);
  free(w);
  if (status < 0) return;
  if (!uv_is_readable(s) || uv_is_closing((uv_handle_t*)s)) return;
  if (s->data && uv_stream_get_write_queue_size(s) == 0) { /* paused: drained, read again */
    s->data = NULL;
    uv_read_start(s, alloc_cb, read_cb);
  }
}

static void read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n <= 0) {
    free(buf->base);
    if (n < 0 && !uv_is_closing((uv_handle_t*)s)) uv_close((uv_handle_t*)s, close_cb);
    return;
  }
  write_req* w = malloc(sizeof *w);
  w->buf = uv_buf_init(buf->base, (unsigned)n);
  if (uv_write(&w->req, s, &w->buf, 1, write_cb) != 0) {
    free(buf->base);
    free(w);
    uv_close((uv_handle_t*)s, close_cb);
    return;
  }
  if (uv_stream_get_write_queue_size(s) > HIGH) {
    s->data = s; /* paused */
    uv_read_stop(s);
  }
}

static void on_connection(uv_stream_t* server, int status) {
  if (status < 0) return;
  uv_tcp_t* client = malloc(sizeof *client);
  uv_tcp_init(server->loop, client);
  client->data = NULL;
  if (uv_accept(server, (uv_stream_t*)client) != 0) {
    uv_close((uv_handle_t*)client, close_cb);
    return;
  }
  uv_tcp_nodelay(client, 1);
  uv_read_start((uv_stream_t*)client, alloc_cb, read_cb);
}

int main(int argc, char** argv) {
  if (argc < 2) return fprintf(stderr, "usage: bench_libuv_echo PORT\n"), 2;
  uv_loop_t* loop = uv_default_loop();
  uv_tcp_t server;
  struct sockaddr_in addr;
  uv_tcp_init(loop, &server);
  uv_ip4_addr("127.0.0.1", atoi(argv[1]), &addr);
  if (uv_tcp_bind(&server, (const struct sockaddr*)&addr, 0) != 0 ||
      uv_listen((uv_stream_t*)&server, 4096, on_connection) != 0)
    return fprintf(stderr, "bench_libuv_echo: cannot listen on %s\n", argv[1]), 1;
  printf("listening on 127.0.0.1:%s\n", argv[1]);
  fflush(stdout);
  return uv_run(loop, UV_RUN_DEFAULT);
}
