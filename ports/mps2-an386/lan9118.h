// SPDX-License-Identifier: MIT
/* lwIP network interface for the SMSC LAN9118 Ethernet controller of the MPS2
 * AN386 board (at 0x40200000, interrupt 13). Polled from the main loop: the
 * interrupt only wakes the CPU from its sleep, so lwIP is never entered from
 * an interrupt handler (NO_SYS=1 has no locks).
 *
 *   struct netif eth;
 *   ip4_addr_t ip, mask, gw;  // 10.0.2.15/24 via 10.0.2.2 on QEMU's user network
 *   netif_add(&eth, &ip, &mask, &gw, NULL, lan9118_netif_init, ethernet_input);
 *   netif_set_default(&eth);
 *   netif_set_up(&eth);
 *   for (;;) { lan9118_poll(&eth); sys_check_timeouts(); }  // or sockkit's loop via its board
 * hooks
 */
#ifndef SOCKKIT_PORT_LAN9118_H
#define SOCKKIT_PORT_LAN9118_H

#include "lwip/err.h"
#include "lwip/netif.h"

#ifdef __cplusplus
extern "C" {
#endif

/// netif_add()'s init function: resets the controller, reads its MAC address,
/// enables transmit and receive (own address and broadcast) and its receive
/// interrupt. ERR_IF when no LAN9118 answers at the board's address.
err_t lan9118_netif_init(struct netif* netif);

/// Hands the frames received since the last call to lwIP (at most 16, so one
/// busy link cannot starve the rest of the loop) and follows the PHY's link
/// state (netif_set_link_up/down). Call from the main loop only.
void lan9118_poll(struct netif* netif);

/// Frames dropped so far: no pbuf for them, or a receive error.
unsigned lan9118_dropped(void);

/// The controller's interrupt handler (in the board's vector table): masks the
/// receive interrupt until lan9118_poll() has emptied the FIFO.
void lan9118_interrupt(void);

#ifdef __cplusplus
}
#endif

#endif
