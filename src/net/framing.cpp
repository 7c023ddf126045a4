// SPDX-License-Identifier: MIT
#include "sockkit/framing.hpp"

#include <algorithm>

namespace sockkit {

Result<Frame> DelimiterFramer::next(std::span<const std::byte> data) const noexcept {
  const std::size_t window = std::min(data.size(), max_frame_ + 1);  // payload + delimiter
  const auto end = data.begin() + static_cast<std::ptrdiff_t>(window);
  const auto hit = std::find(data.begin(), end, delimiter_);
  if (hit == end) {
    if (data.size() > max_frame_) return failure::frame_too_large;
    return Frame{};  // incomplete
  }
  const auto length = static_cast<std::size_t>(hit - data.begin());
  return Frame{data.first(length), length + 1};
}

Result<Frame> LengthPrefixFramer::next(std::span<const std::byte> data) const noexcept {
  const auto prefix = static_cast<std::size_t>(prefix_);
  if (data.size() < prefix) return Frame{};
  std::size_t length = 0;
  for (std::size_t i = 0; i < prefix; ++i)
    length = length << 8 | static_cast<std::size_t>(data[i]);
  if (length > max_frame_) return failure::frame_too_large;  // refuse before buffering it
  if (data.size() - prefix < length) return Frame{};
  return Frame{data.subspan(prefix, length), prefix + length};
}

Status LengthPrefixFramer::encode_header(std::size_t size,
                                         std::span<std::byte> out) const noexcept {
  const auto prefix = static_cast<std::size_t>(prefix_);
  const std::size_t fits =
      prefix >= sizeof(std::size_t) ? SIZE_MAX : (std::size_t{1} << (8 * prefix)) - 1;
  if (size > max_frame_ || size > fits) return failure::frame_too_large;
  if (out.size() < prefix) return make_error(std::errc::invalid_argument);
  for (std::size_t i = 0; i < prefix; ++i)
    out[i] = static_cast<std::byte>(size >> (8 * (prefix - 1 - i)) & 0xff);
  return {};
}

}  // namespace sockkit
