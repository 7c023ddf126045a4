// SPDX-License-Identifier: MIT
/* The board's network for sockkit's bare-metal stack: lwIP started, the
 * LAN9118 interface added with a static address and made the default, and
 * sockkit's event loop told how to poll it and how to sleep.
 *
 *   int main() {
 *     if (!board_network_start()) return 1;
 *     auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
 *     ...
 *   }
 */
#ifndef SOCKKIT_PORT_BOARD_NETWORK_H
#define SOCKKIT_PORT_BOARD_NETWORK_H

#ifdef __cplusplus
extern "C" {
#endif

/// The address QEMU's user-mode network gives a guest (10.0.2.15/24, its
/// gateway and DNS at 10.0.2.2 and 10.0.2.3).
#define BOARD_NETWORK_ADDRESS "10.0.2.15"

/// Sets sockkit's board hooks, starts the stack (lwip_init(), once: it may
/// have been started already) and adds the Ethernet interface as the default.
/// False, with the reason on the console, when the controller does not answer.
bool board_network_start(void);

#ifdef __cplusplus
}
#endif

#endif
