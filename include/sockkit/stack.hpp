// sockkit/stack.hpp — which network stack this build runs on and what it can do.
//
// One build targets one stack (CMake: -DSOCKKIT_STACK=posix|lwip). Code that
// must run on both asks instead of guessing:
//
//   if (!sockkit::stack_supports(sockkit::StackFeature::ipv6))
//     listen_on = sockkit::Endpoint::any_v4(8080);  // lwIP profiles are IPv4-only
//   printf("%s\n", sockkit::stack_name());           // "linux" or "lwip"
#pragma once

#include <cstdint>

namespace sockkit {

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
  multicast,         ///< IP multicast membership, TTL and loop (LWIP_IGMP=0 in the profiles).
  close_on_exec,     ///< Descriptors are kernel descriptors with FD_CLOEXEC (not on lwIP).
  descriptor_limit,  ///< RLIMIT_NOFILE governs how many sockets exist (lwIP: MEMP_NUM_NETCONN).
  icmp_errors,       ///< ICMP errors reach sockets: connected UDP hears "port unreachable".
};

/// "linux" or "lwip".
const char* stack_name() noexcept;
/// Whether this build's stack has `feature`.
bool stack_supports(StackFeature feature) noexcept;
/// Readable feature name, for messages ("ipv6", "unix_domain"...).
const char* to_string(StackFeature feature) noexcept;

}  // namespace sockkit
