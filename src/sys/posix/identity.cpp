// SPDX-License-Identifier: MIT
// The Linux kernel's stack: everything sockkit offers is here.
#include <sys/random.h>

#include <cerrno>

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
  std::size_t done = 0;
  unsigned flags = GRND_NONBLOCK;  // never wait for the pool at boot: the loop must not block
  while (done < out.size()) {
    const ssize_t n = ::getrandom(out.data() + done, out.size() - done, flags);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN && flags == GRND_NONBLOCK) {
      flags = 0x0004;  // GRND_INSECURE (Linux 5.6): unseeded is fine for jitter and ids
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return std::error_code(n < 0 ? errno : EIO, std::system_category());
    }
  }
  return {};
}

}  // namespace sockkit::sys
