// SPDX-License-Identifier: MIT
/* The raw lwip_* side of the lwIP throughput bench: a client that streams
 * bytes through an echo server and checks them, and a minimal echo server
 * written directly on lwip_poll — the baseline sockkit's server is compared to. */
#ifndef SOCKKIT_BENCH_RAW_LWIP_H
#define SOCKKIT_BENCH_RAW_LWIP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Starts lwIP (once per process). */
void raw_lwip_start_stack(void);
/* Sends `total` bytes to 127.0.0.1:port in `chunk`-sized writes while reading
 * the echo back, verifying every byte. Seconds taken, or a negative value on error. */
double raw_lwip_echo_client(unsigned short port, size_t total, size_t chunk);
/* Starts a one-connection echo server on its own thread; returns its port, 0 on error. */
unsigned short raw_lwip_echo_server_start(void);

#ifdef __cplusplus
}
#endif

#endif
