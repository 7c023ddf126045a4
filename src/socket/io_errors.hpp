// SPDX-License-Identifier: MIT
// How stack errors from blocking I/O are reported to users.
#pragma once

#include <system_error>

#include "sockkit/error.hpp"

namespace sockkit::socket_io {

/// On a blocking socket, EAGAIN can only mean SO_RCVTIMEO/SO_SNDTIMEO expired:
/// report it as a timeout, not as "would block".
inline ErrorCode blocking_io_error(ErrorCode ec, bool nonblocking, failure timeout) noexcept {
  if (!nonblocking && ec == errc::would_block) return make_error_code(timeout);
  return ec;
}

}  // namespace sockkit::socket_io
