// SPDX-License-Identifier: MIT
/// @file
/// Which network stack this build runs on and what it can do.
///
/// One build targets one stack (CMake: -DSOCKKIT_STACK=posix|lwip). Code that
/// must run on both asks instead of guessing:
///
///       if (!sockkit::stack_supports(sockkit::StackFeature::ipv6))
///         listen_on = sockkit::Endpoint::any_v4(8080);  // lwIP profiles are IPv4-only
///       printf("%s\n", sockkit::stack_name());           // "linux", "lwip" or "lwip-raw"
#pragma once

#include <cstdint>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Starts the network stack for sockkit: on lwIP, calls tcpip_init() and waits
/// until lwIP runs; on the bare-metal stack (lwIP without an OS), calls
/// lwip_init(); on Linux, does nothing (the kernel's stack always runs).
/// Call once, at start-up, before anything else of sockkit's — on lwIP every
/// socket fails with failure::stack_not_started before. A second call does
/// nothing. Where the application (or its board support package) starts lwIP
/// itself, call attach_stack() instead: lwIP must never be initialised twice.
///
///     int main() {
///       if (auto st = sockkit::start_stack(); !st) return 1;
///       auto loop = sockkit::EventLoop::create();
///     }
///
/// @return errc::no_buffer_space when lwIP could not start (no semaphore for its
/// thread); success otherwise, and always on Linux and on the bare-metal stack.
Status start_stack() noexcept;

/// Tells sockkit that the application has started lwIP itself (tcpip_init()
/// has completed): sockkit uses that stack and never calls tcpip_init(). On
/// Linux it does nothing.
///
///     tcpip_init(on_lwip_up, nullptr);  // the board's own start-up
///     // ... once on_lwip_up has run:
///     sockkit::attach_stack();
///
/// @return success: nothing in lwIP can tell whether it runs, so it is believed.
Status attach_stack() noexcept;

/// What the bare-metal stack (lwIP's raw API with NO_SYS=1, the `lwip-raw`
/// stack) needs from the board: its event loop is the device's main loop, so
/// it moves received frames into lwIP and sleeps between events itself.
struct BoardHooks {
  /// Hands the frames the board's network interfaces have received to lwIP
  /// (each netif's input function). Called by the loop, never from an interrupt.
  void (*poll_network)(void* context) = nullptr;
  /// Sleeps until an interrupt arrives or `max_ms` milliseconds pass (WFI on a
  /// Cortex-M: the millisecond tick ends it at the latest). Null: the loop
  /// checks again at once instead of sleeping.
  void (*sleep)(void* context, std::uint32_t max_ms) = nullptr;
  /// Passed to both.
  void* context = nullptr;
};

/// Sets the board's hooks for the bare-metal stack, before start_stack() or
/// attach_stack(); the other stacks ignore them.
///
///     sockkit::set_board_hooks({.poll_network = [](void*) { ethernet_poll(&netif); },
///                               .sleep = [](void*, std::uint32_t) { __WFI(); }});
///     sockkit::start_stack();
///
/// @param hooks how to poll the network and sleep; copied.
void set_board_hooks(const BoardHooks& hooks) noexcept;

/// A capability that differs between stacks (or lwIP configurations).
enum class StackFeature : std::uint8_t {
  ipv6,              ///< AF_INET6 sockets (off in sockkit's lwIP profiles: LWIP_IPV6=0).
  unix_domain,       ///< AF_UNIX paths and abstract names (Linux only).
  name_resolution,   ///< Host names resolve (sockkit's resolver: both stacks; lwIP needs servers
                     ///< set).
  interface_names,   ///< Scope and interface names ("eth0") for IPv6 and multicast.
  reuse_port,        ///< SO_REUSEPORT load balancing (Linux only).
  send_buffer_size,  ///< SO_SNDBUF (lwIP has no setting for it: TCP_SND_BUF is fixed).
  user_timeout,      ///< TCP_USER_TIMEOUT (Linux only).
  multicast,         ///< IP multicast membership, TTL and loop (lwIP: LWIP_IGMP, off in the
                     ///< constrained profile).
  close_on_exec,     ///< Descriptors are kernel descriptors with FD_CLOEXEC (not on lwIP).
  descriptor_limit,  ///< RLIMIT_NOFILE governs how many sockets exist (lwIP: MEMP_NUM_NETCONN).
  icmp_errors,       ///< ICMP errors reach sockets: connected UDP hears "port unreachable".
};

/// "linux", "lwip" (lwIP's sockets) or "lwip-raw" (lwIP's raw API, bare metal).
/// @return the name (static text).
const char* stack_name() noexcept;
/// Whether this build's stack has `feature`.
/// @param feature the capability. @return whether this build has it.
bool stack_supports(StackFeature feature) noexcept;
/// Readable feature name, for messages ("ipv6", "unix_domain"...).
/// @param feature the capability. @return its name (static text).
const char* to_string(StackFeature feature) noexcept;

}  // namespace sockkit

#pragma GCC visibility pop
