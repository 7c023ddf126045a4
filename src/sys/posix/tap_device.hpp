// SPDX-License-Identifier: MIT
// The Linux kernel side of lwIP's TAP netif (src/sys/lwip/tap_netif.cpp): the TAP
// descriptor and its frames. It lives with the Linux code; lwIP builds on Linux add it. Its
// .cpp sees Linux headers only; tap_netif.cpp sees lwIP headers only.
#pragma once

#include <cstddef>
#include <string_view>

#include "sockkit/result.hpp"

namespace sockkit::sys::posix::tap {

/// Opens (creating if needed) the TAP device `name`, without packet info headers.
Result<int> open_device(std::string_view name) noexcept;
/// One frame, or 0 when nothing arrived within `timeout_ms`.
Result<std::size_t> read_frame(int fd, void* buffer, std::size_t size, int timeout_ms) noexcept;
/// Writes one whole frame.
Status write_frame(int fd, const void* frame, std::size_t size) noexcept;

}  // namespace sockkit::sys::posix::tap
