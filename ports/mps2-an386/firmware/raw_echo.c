// SPDX-License-Identifier: MIT
// Firmware: the echo server of echo_server.cpp written directly on lwIP's raw
// API, without sockkit — the baseline bench/board-footprint.sh measures
// sockkit's bare-metal cost against. The same board, lwIP options and C
// library. Backpressure is lwIP's: what a connection received is echoed as
// lwIP's send buffer takes it, and its window opens (tcp_recved) only by what
// was echoed, so a peer that never reads stalls only itself. At most
// MEMP_NUM_TCP_PCB connections; past that lwIP drops the SYN (no reset).
#include <stdio.h>
#include <stdlib.h>

#include "board.h"
#include "lan9118.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

// What a connection received and has not echoed yet, in lwIP's own pbufs.
struct echo_connection {
  struct pbuf* pending;
  u16_t offset;     // bytes of the first pbuf already echoed
  int peer_closed;  // FIN received: close once everything is echoed
};

static void forget(struct tcp_pcb* pcb, struct echo_connection* c) {
  tcp_arg(pcb, NULL);
  tcp_recv(pcb, NULL);
  tcp_sent(pcb, NULL);
  tcp_err(pcb, NULL);
  if (c->pending != NULL) pbuf_free(c->pending);
  free(c);
}

// Echoes what lwIP's send buffer takes; closes after the peer's FIN once all is echoed.
static err_t echo_some(struct tcp_pcb* pcb, struct echo_connection* c) {
  u16_t echoed = 0;
  while (c->pending != NULL) {
    struct pbuf* head = c->pending;
    u16_t n = (u16_t)(head->len - c->offset);
    if (n > tcp_sndbuf(pcb)) n = tcp_sndbuf(pcb);
    if (n == 0) break;
    if (tcp_write(pcb, (const u8_t*)head->payload + c->offset, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
      break;  // out of segments: tcp_sent brings us back
    echoed = (u16_t)(echoed + n);
    c->offset = (u16_t)(c->offset + n);
    if (c->offset == head->len) {
      c->pending = head->next;
      if (c->pending != NULL) pbuf_ref(c->pending);
      pbuf_free(head);
      c->offset = 0;
    }
  }
  if (echoed > 0) {
    tcp_recved(pcb, echoed);
    tcp_output(pcb);
  }
  if (c->pending == NULL && c->peer_closed) {
    forget(pcb, c);
    if (tcp_close(pcb) != ERR_OK) {
      tcp_abort(pcb);
      return ERR_ABRT;
    }
  }
  return ERR_OK;
}

static err_t on_received(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
  struct echo_connection* c = arg;
  if (p == NULL || err != ERR_OK) {
    if (p != NULL) pbuf_free(p);
    c->peer_closed = 1;
  } else if (c->pending == NULL) {
    c->pending = p;
  } else {
    pbuf_cat(c->pending, p);
  }
  return echo_some(pcb, c);
}

static err_t on_sent(void* arg, struct tcp_pcb* pcb, u16_t len) {
  (void)len;
  return echo_some(pcb, arg);
}

static void on_error(void* arg, err_t err) {
  struct echo_connection* c = arg;  // the PCB is already gone
  (void)err;
  if (c->pending != NULL) pbuf_free(c->pending);
  free(c);
}

static err_t on_accepted(void* arg, struct tcp_pcb* pcb, err_t err) {
  (void)arg;
  if (err != ERR_OK || pcb == NULL) return ERR_VAL;
  struct echo_connection* c = calloc(1, sizeof *c);
  if (c == NULL) {
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  tcp_arg(pcb, c);
  tcp_recv(pcb, on_received);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_error);
  return ERR_OK;
}

int main(void) {
  static struct netif ethernet;
  lwip_init();
  ip4_addr_t address, mask, gateway;
  IP4_ADDR(&address, 10, 0, 2, 15);
  IP4_ADDR(&mask, 255, 255, 255, 0);
  IP4_ADDR(&gateway, 10, 0, 2, 2);
  if (netif_add(&ethernet, &address, &mask, &gateway, NULL, lan9118_netif_init, ethernet_input) ==
      NULL) {
    printf("network: no LAN9118 answers\n");
    return 1;
  }
  netif_set_default(&ethernet);
  netif_set_up(&ethernet);
  struct tcp_pcb* listener = tcp_new();
  if (listener == NULL || tcp_bind(listener, IP4_ADDR_ANY, 7) != ERR_OK) return 1;
  listener = tcp_listen(listener);
  if (listener == NULL) return 1;
  tcp_accept(listener, on_accepted);
  printf("raw echo server listening on 10.0.2.15:7\n");
  for (;;) {
    lan9118_poll(&ethernet);
    sys_check_timeouts();
    board_wait_for_interrupt();  // the millisecond tick ends it at the latest
  }
}
