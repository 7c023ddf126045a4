// SPDX-License-Identifier: MIT
// The lwIP device of the TAP tests: lwIP on sktap0 at 10.78.0.2, the kernel's
// side at 10.78.0.1. Used inside a forked child in a private network namespace.
#pragma once

#include <unistd.h>

#include <string>

#include "sockkit/lwip_tap.hpp"
#include "sockkit/sockkit.hpp"
#include "support/netns.hpp"

namespace sockkit::test {

// Containers and chroots often have no TUN device node, even for root.
inline constexpr const char* kNoTun =
    "no usable /dev/net/tun here (a container or chroot without it)";
inline bool tun_available() {
  return access("/dev/net/tun", R_OK | W_OK) == 0;
}

// The device: lwIP on sktap0 at 10.78.0.2; the host side is 10.78.0.1. It runs in
// a forked child, so lwIP starts there: a tcpip thread does not survive fork().
inline bool bring_up_device(std::string& report) {
  if (auto st = start_stack(); !st) {
    report = "start_stack: " + st.error().message();
    return false;
  }
  if (auto st =
          lwip::attach_tap({.device = "sktap0", .address = Endpoint::ipv4({10, 78, 0, 2}, 0)});
      !st) {
    report = "attach_tap: " + st.error().message();
    return false;
  }
  if (!shell("ip addr add 10.78.0.1/24 dev sktap0") || !shell("ip link set dev sktap0 up")) {
    report = "cannot configure sktap0";
    return false;
  }
  return true;
}

}  // namespace sockkit::test
