// SPDX-License-Identifier: MIT
// lwIP as sockkit configures it (src/sys/lwip/config/lwipopts.h): IPv4 only,
// numeric addresses, no socket files, no kernel descriptors.
#if defined(__linux__)
#include "sys/linux_random.hpp"
#endif

#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

const char* stack_name() noexcept {
  return "lwip";
}

bool supports(StackFeature feature) noexcept {
  switch (feature) {
    case StackFeature::ipv6:
      return LWIP_IPV6 != 0;
    case StackFeature::multicast:
      return LWIP_IGMP != 0;
    case StackFeature::name_resolution:
      return true;  // sockkit's own resolver over UDP; servers from the application
    case StackFeature::unix_domain:
    case StackFeature::interface_names:
    case StackFeature::reuse_port:
    case StackFeature::send_buffer_size:
    case StackFeature::user_timeout:
    case StackFeature::close_on_exec:
    case StackFeature::descriptor_limit:
    case StackFeature::icmp_errors:  // lwIP 2.1 never passes ICMP errors to UDP sockets
      return false;
  }
  return false;
}

Status random_bytes(std::span<std::byte> out) noexcept {
#if defined(__linux__)
  return linux_random_bytes(out);  // lwIP hosted on Linux: the host's pool
#else
  // A device: only the port knows its RNG (sockkit::set_entropy_source).
  (void)out;
  return make_error(std::errc::not_supported);
#endif
}

}  // namespace sockkit::sys
