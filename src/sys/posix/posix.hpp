// SPDX-License-Identifier: MIT
// Helpers shared by the Linux (POSIX) sys implementation. Only src/sys/posix sees this.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <system_error>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"

namespace sockkit::sys::posix {

/// errno as an error_code in the system category.
inline ErrorCode last_error() noexcept {
  return make_host_error(errno);
}

/// Calls `op` again while it fails with EINTR (a signal arrived mid-call).
template <class Op>
auto retry_eintr(Op op) noexcept {
  for (;;) {
    auto r = op();
    if (!(r == -1 && errno == EINTR)) return r;
  }
}

/// A socket address large enough for any family, with its length.
struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  sockaddr* get() noexcept { return reinterpret_cast<sockaddr*>(&storage); }
  const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
};

Result<SockAddr> to_sockaddr(const Endpoint& ep) noexcept;
Result<Endpoint> from_sockaddr(const sockaddr* sa, socklen_t length) noexcept;
int to_native(Family family) noexcept;

}  // namespace sockkit::sys::posix
