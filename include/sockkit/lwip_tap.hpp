// SPDX-License-Identifier: MIT
/// @file
/// For lwIP builds on Linux (SOCKKIT_STACK=lwip or lwip-raw): puts sockkit's
/// lwIP stack on a Linux TAP device, so a Linux host (or a network namespace)
/// talks to it as it would to a device on the wire. Needs CAP_NET_ADMIN to
/// create the device. lwIP's loopback (127.0.0.1) stays available.
///
///       // as root: the device appears on the Linux side as "sktap0"
///       auto at = sockkit::Endpoint::parse("10.78.0.2:0");
///       auto st = sockkit::lwip::attach_tap({.device = "sktap0", .address = *at});
///       // ip addr add 10.78.0.1/24 dev sktap0 && ip link set sktap0 up
///       // now `nc 10.78.0.2 7` reaches a sockkit server listening on lwIP
#pragma once

#include <cstdint>
#include <string>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit::lwip {

/// Where lwIP sits on the TAP device.
struct TapConfig {
  std::string device = "sktap0";  ///< TAP interface name (created, or attached if it exists).
  Endpoint address;               ///< lwIP's IPv4 address on it (the port is ignored).
  int prefix_length = 24;         ///< Netmask length, 1..30.
  bool make_default = true;       ///< Route non-local traffic through this interface.
};

/// Frames through the TAP device since attach_tap().
struct TapStats {
  std::uint64_t frames_in = 0;   ///< Ethernet frames read from the device into lwIP.
  std::uint64_t frames_out = 0;  ///< Ethernet frames lwIP wrote to the device.
  std::uint64_t dropped_in = 0;  ///< No memory for a received frame, or lwIP refused it.
};

/// Adds a netif on the TAP device (once per process: lwIP has no netif removal
/// here). Errors: invalid_argument for a non-IPv4 address or a bad prefix,
/// permission_denied without CAP_NET_ADMIN, limit_exceeded if one is attached already.
/// @param config the device's name, lwIP's address and prefix, default route.
/// @return the errors above, or failure::stack_not_started before start_stack().
Status attach_tap(const TapConfig& config) noexcept;

/// Counters of the attached device (all zero before attach_tap()).
/// @return the counters.
TapStats tap_stats() noexcept;

}  // namespace sockkit::lwip

#pragma GCC visibility pop
