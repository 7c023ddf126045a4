// SPDX-License-Identifier: MIT
#include "board_network.h"

#include <cstdio>

#include "board.h"
#include "lan9118.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "netif/ethernet.h"
#include "sockkit/stack.hpp"

namespace {
netif ethernet;
}

bool board_network_start(void) {
  sockkit::set_board_hooks({.poll_network = [](void*) { lan9118_poll(&ethernet); },
                            .sleep = [](void*, std::uint32_t) { board_wait_for_interrupt(); }});
  if (auto st = sockkit::start_stack(); !st) {  // lwip_init(), once
    std::printf("network: %s\n", st.error().message().c_str());
    return false;
  }
  ip4_addr_t address, mask, gateway;
  IP4_ADDR(&address, 10, 0, 2, 15);
  IP4_ADDR(&mask, 255, 255, 255, 0);
  IP4_ADDR(&gateway, 10, 0, 2, 2);
  if (netif_add(&ethernet, &address, &mask, &gateway, nullptr, lan9118_netif_init,
                ethernet_input) == nullptr) {
    std::printf("network: no LAN9118 answers\n");
    return false;
  }
  netif_set_default(&ethernet);
  netif_set_up(&ethernet);
  return true;
}
