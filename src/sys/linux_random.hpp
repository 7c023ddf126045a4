// SPDX-License-Identifier: MIT
// Unpredictable bytes from the Linux kernel (getrandom), for every stack that
// runs on Linux: the kernel's own, and lwIP hosted in a Linux process.
#pragma once

#include <sys/random.h>

#include <cerrno>
#include <span>
#include <system_error>

#include "sockkit/result.hpp"

namespace sockkit::sys {

inline Status linux_random_bytes(std::span<std::byte> out) noexcept {
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
      return make_host_error(n < 0 ? errno : EIO);
    }
  }
  return {};
}

}  // namespace sockkit::sys
