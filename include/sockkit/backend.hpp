// SPDX-License-Identifier: MIT
/// @file
/// The readiness backends an EventLoop can run on.
///
///       auto b = sockkit::parse_backend("epoll-et");     // Backend::epoll_edge
///       printf("%s\n", sockkit::to_string(sockkit::default_backend()));   // "epoll"
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// A readiness backend. Not every one exists on every stack or build.
enum class Backend : std::uint8_t {
  select,      ///< Portable; limited to descriptors below FD_SETSIZE (1024 on Linux). O(n).
  poll,        ///< Portable; no descriptor limit. O(n).
  epoll,       ///< Linux, level-triggered. O(ready).
  epoll_edge,  ///< Linux, edge-triggered: the loop drains reads and writes until EAGAIN.
  uring,       ///< Linux io_uring (poll requests); falls back to epoll if the kernel refuses.
};

/// "select", "poll", "epoll", "epoll-et", "uring".
/// @param backend the backend. @return its name (static text).
const char* to_string(Backend backend) noexcept;
/// Parses a backend name; errc::invalid_argument for unknown names.
/// @param name as to_string() gives it.
/// @return the backend, or errc::invalid_argument.
Result<Backend> parse_backend(std::string_view name) noexcept;
/// The best backend of this build: epoll on Linux.
/// @return the default backend.
Backend default_backend() noexcept;
/// Backends compiled into this build (uring only when liburing was found).
/// @return the backends (static storage).
std::span<const Backend> compiled_backends() noexcept;

}  // namespace sockkit

#pragma GCC visibility pop
