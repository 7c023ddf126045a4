// SPDX-License-Identifier: MIT
// DelimiterFramer over any bytes: frames lie inside the input, never exceed the
// limit, end at the delimiter, and consuming them never runs past the end.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "sockkit/framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const char delimiter = static_cast<char>(data[0]);
  const std::size_t max = data[1] % 64 + 1;
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data + 2), size - 2);
  sockkit::DelimiterFramer framer(delimiter, max);
  while (!in.empty()) {
    auto f = framer.next(in);
    if (!f || f->consumed == 0) break;  // too large, or an incomplete frame
    if (f->consumed > in.size() || f->payload.size() > max || f->payload.data() != in.data() ||
        f->consumed != f->payload.size() + 1 ||
        in[f->payload.size()] != static_cast<std::byte>(delimiter) ||
        std::memchr(f->payload.data(), delimiter, f->payload.size()) != nullptr)
      std::abort();
    in = in.subspan(f->consumed);
  }
  return 0;
}
