// SPDX-License-Identifier: MIT
// The device's network for the examples. On Linux the kernel's interfaces are
// already there. On lwIP hosted on Linux (SOCKKIT_STACK=lwip or lwip-raw) `--tap DEV
// ADDR/PREFIX` puts the device on a Linux TAP interface, as a board's Ethernet
// driver would: `--tap sktap0 10.78.0.2/24`. On a board (ports/), the board's
// own Ethernet. Call after sockkit::start_stack().
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#if defined(SOCKKIT_EXAMPLES_ON_LWIP)
#include <sockkit/lwip_tap.hpp>
#elif defined(SOCKKIT_EXAMPLES_ON_BOARD)
#include "board_network.h"
#endif
#include <sockkit/sockkit.hpp>

/// Brings the device's network up from "DEV ADDR/PREFIX"; true when done or
/// nothing was asked.
inline bool bring_up_device_network(const std::string& device, const std::string& address) {
#if defined(SOCKKIT_EXAMPLES_ON_BOARD)
  // A board (ports/): its own Ethernet, whatever was asked.
  (void)device, (void)address;
  return board_network_start();
#endif
  if (device.empty()) return true;
#if defined(SOCKKIT_EXAMPLES_ON_LWIP)
  const auto slash = address.find('/');
  auto ip = sockkit::Endpoint::parse(address.substr(0, slash) + ":0");
  if (!ip || slash == std::string::npos) {
    std::printf("--tap %s %s: expected ADDRESS/PREFIX\n", device.c_str(), address.c_str());
    return false;
  }
  const int prefix = std::atoi(address.c_str() + slash + 1);
  if (auto st =
          sockkit::lwip::attach_tap({.device = device, .address = *ip, .prefix_length = prefix});
      !st) {
    std::printf("--tap %s: %s\n", device.c_str(), st.error().message().c_str());
    return false;
  }
  return true;
#else
  (void)address;
  std::printf("--tap: only for the lwIP build (on Linux the kernel's interfaces are used)\n");
  return false;
#endif
}
