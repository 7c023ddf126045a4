// SPDX-License-Identifier: MIT
// Helpers shared by the lwIP sys implementation. Only src/sys/lwip sees this:
// lwIP's socket headers clash with the OS ones, so no OS socket header may be
// included next to it.
#pragma once

#include "lwip/sockets.h"
#include "sys/lwip/requirements.hpp"

#include <system_error>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"

namespace sockkit::sys::lwip {

/// lwIP's error numbers ("lwip" category): on a device they need not be the
/// host's errno values, so they never pass as system_category codes.
const ErrorCategory& category() noexcept;
inline ErrorCode error(int value) noexcept {
  return {value, category()};
}
inline ErrorCode last_error() noexcept {
  return error(errno);
}

/// Whether lwIP runs: started by sockkit (start_stack) or by the application
/// (attach_stack). Every socket call fails with failure::stack_not_started before.
bool running() noexcept;

Result<sockaddr_in> to_sockaddr(const Endpoint& ep) noexcept;
Endpoint from_sockaddr(const sockaddr_in& sa) noexcept;

}  // namespace sockkit::sys::lwip
