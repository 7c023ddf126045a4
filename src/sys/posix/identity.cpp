// SPDX-License-Identifier: MIT
// The Linux kernel's stack: everything sockkit offers is here.
#include "sys/linux_random.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

const char* stack_name() noexcept {
  return "linux";
}

bool supports(StackFeature) noexcept {
  return true;
}

// The kernel's stack runs before any process does.
Status start_stack() noexcept {
  return {};
}
Status attach_stack() noexcept {
  return {};
}
void set_board_hooks(const BoardHooks&) noexcept {}

std::uintptr_t current_thread_token() noexcept {
  thread_local const char marker = 0;  // a distinct address per thread
  return reinterpret_cast<std::uintptr_t>(&marker);
}

Status random_bytes(std::span<std::byte> out) noexcept {
  return linux_random_bytes(out);
}

}  // namespace sockkit::sys
