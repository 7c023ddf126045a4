// SPDX-License-Identifier: MIT
// LengthPrefixFramer over any bytes, with 1, 2 and 4-byte prefixes: frames lie
// inside the input and within the limit, and encode_header writes back the
// header it read.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "sockkit/framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr int kPrefixes[] = {1, 2, 4};
  const int prefix = kPrefixes[data[0] % 3];
  const std::size_t max = static_cast<std::size_t>(data[1]) * 7 + 1;
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data + 2), size - 2);
  sockkit::LengthPrefixFramer framer(prefix, max);
  while (!in.empty()) {
    auto f = framer.next(in);
    if (!f || f->consumed == 0) break;
    const auto header = static_cast<std::size_t>(prefix);
    if (f->consumed > in.size() || f->payload.size() > max ||
        f->consumed != header + f->payload.size() || f->payload.data() != in.data() + header)
      std::abort();
    std::byte rebuilt[4];
    if (!framer.encode_header(f->payload.size(), std::span(rebuilt, header)) ||
        std::memcmp(rebuilt, in.data(), header) != 0)
      std::abort();
    in = in.subspan(f->consumed);
  }
  return 0;
}
