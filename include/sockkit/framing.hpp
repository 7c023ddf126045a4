// SPDX-License-Identifier: MIT
/// @file
/// Cutting a byte stream into messages, with a size limit.
///
///       sockkit::DelimiterFramer lines('\n', 4096);
///       Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
///         std::size_t used = 0;
///         for (;;) {
///           auto f = lines.next(data.subspan(used));
///           if (!f) return f.error();          // line longer than 4096: errc::message_too_large
///           if (f->consumed == 0) return used; // incomplete: wait for more bytes
///           handle(f->payload);
///           used += f->consumed;
///         }
///       }
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// One frame found at the start of a buffer. consumed == 0: no complete frame yet.
struct Frame {
  std::span<const std::byte> payload;  ///< The frame without its delimiter or length prefix.
  std::size_t consumed = 0;            ///< Bytes to drop from the buffer, framing included.
};

/// Frames ending with a delimiter byte (lines, NUL-terminated records).
class DelimiterFramer {
 public:
  /// Frames end with `delimiter`; one longer than `max_frame` is failure::frame_too_large.
  /// @param delimiter the byte that ends a frame. @param max_frame the longest payload.
  explicit DelimiterFramer(char delimiter = '\n', std::size_t max_frame = 64 << 10) noexcept
      : delimiter_(static_cast<std::byte>(delimiter)), max_frame_(max_frame) {}
  /// The payload excludes the delimiter. errc::message_too_large when no delimiter
  /// appears within max_frame bytes.
  /// @param data the bytes received and not consumed yet.
  /// @return the first frame (consumed == 0: none complete yet), or the error above.
  Result<Frame> next(std::span<const std::byte> data) const noexcept;

 private:
  std::byte delimiter_;
  std::size_t max_frame_;
};

/// Frames preceded by a big-endian length of 1, 2 or 4 bytes.
class LengthPrefixFramer {
 public:
  /// A big-endian length of `prefix_bytes` (1, 2 or 4; anything else means 4) before
  /// each frame of at most `max_frame` bytes (longer: failure::frame_too_large).
  /// @param prefix_bytes the prefix's size. @param max_frame the longest payload.
  explicit LengthPrefixFramer(int prefix_bytes = 4, std::size_t max_frame = 1 << 20) noexcept
      : prefix_(prefix_bytes == 1 || prefix_bytes == 2 ? prefix_bytes : 4), max_frame_(max_frame) {}
  /// errc::message_too_large when the announced length exceeds max_frame.
  /// @param data the bytes received and not consumed yet.
  /// @return the first frame (consumed == 0: none complete yet), or the error above.
  Result<Frame> next(std::span<const std::byte> data) const noexcept;
  /// Writes the prefix for a payload of `size` bytes into `out` (prefix_bytes() long).
  /// errc::message_too_large if `size` does not fit the prefix or max_frame.
  /// @param size the payload's length. @param out at least prefix_bytes() long.
  /// @return the error above, or errc::invalid_argument when `out` is too short.
  Status encode_header(std::size_t size, std::span<std::byte> out) const noexcept;
  /// Bytes of the length prefix.
  /// @return 1, 2 or 4.
  int prefix_bytes() const noexcept { return prefix_; }

 private:
  int prefix_;
  std::size_t max_frame_;
};

}  // namespace sockkit

#pragma GCC visibility pop
