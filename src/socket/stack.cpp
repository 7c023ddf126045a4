// SPDX-License-Identifier: MIT
// Which stack this build runs on: the answers come from the sys layer.
#include "sockkit/stack.hpp"

#include "sys/sys.hpp"

namespace sockkit {

Status start_stack() noexcept {
  return sys::start_stack();
}

void set_board_hooks(const BoardHooks& hooks) noexcept {
  sys::set_board_hooks(hooks);
}

Status attach_stack() noexcept {
  return sys::attach_stack();
}

const char* stack_name() noexcept {
  return sys::stack_name();
}

bool stack_supports(StackFeature feature) noexcept {
  return sys::supports(feature);
}

const char* to_string(StackFeature feature) noexcept {
  switch (feature) {
    case StackFeature::ipv6:
      return "ipv6";
    case StackFeature::unix_domain:
      return "unix_domain";
    case StackFeature::name_resolution:
      return "name_resolution";
    case StackFeature::interface_names:
      return "interface_names";
    case StackFeature::reuse_port:
      return "reuse_port";
    case StackFeature::send_buffer_size:
      return "send_buffer_size";
    case StackFeature::user_timeout:
      return "user_timeout";
    case StackFeature::multicast:
      return "multicast";
    case StackFeature::close_on_exec:
      return "close_on_exec";
    case StackFeature::descriptor_limit:
      return "descriptor_limit";
    case StackFeature::icmp_errors:
      return "icmp_errors";
  }
  return "unknown";
}

}  // namespace sockkit
