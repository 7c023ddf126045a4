// SPDX-License-Identifier: MIT
// SHA-1 and Base64, only for the upgrade's accept key (RFC 6455 §4.1): sixty
// bytes once per connection, so a plain, small implementation; SHA-1 is not
// used here for anything that needs it to resist collisions.
#include <algorithm>
#include <cstring>

#include "transport/websocket/codec.hpp"

namespace sockkit::transport::ws {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept {
  return x << n | x >> (32 - n);
}

void compress(std::array<std::uint32_t, 5>& h, const std::uint8_t* block) noexcept {
  std::uint32_t w[80];
  for (int t = 0; t < 16; ++t)
    w[t] = std::uint32_t{block[4 * t]} << 24 | std::uint32_t{block[4 * t + 1]} << 16 |
           std::uint32_t{block[4 * t + 2]} << 8 | std::uint32_t{block[4 * t + 3]};
  for (int t = 16; t < 80; ++t)
    w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; ++t) {
    std::uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6;
    }
    const std::uint32_t next = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = next;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

}  // namespace

std::array<std::byte, 20> sha1(std::span<const std::byte> data) noexcept {
  std::array<std::uint32_t, 5> h{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t whole = data.size() / 64 * 64;
  for (std::size_t at = 0; at < whole; at += 64)
    compress(h, bytes + at);
  // The tail, 0x80, zeros, and the length in bits: one or two last blocks.
  std::uint8_t last[128] = {};
  const std::size_t tail = data.size() - whole;
  if (tail > 0) std::memcpy(last, bytes + whole, tail);
  last[tail] = 0x80;
  const std::size_t blocks = tail < 56 ? 1 : 2;
  const std::uint64_t bits = std::uint64_t{data.size()} * 8;
  for (int i = 0; i < 8; ++i)
    last[blocks * 64 - 1 - static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(bits >> (8 * i));
  for (std::size_t b = 0; b < blocks; ++b)
    compress(h, last + 64 * b);
  std::array<std::byte, 20> digest{};
  for (std::size_t i = 0; i < 20; ++i)
    digest[i] = std::byte{static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)))};
  return digest;
}

std::string base64(std::span<const std::byte> data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (std::size_t at = 0; at < data.size(); at += 3) {
    const std::size_t n = std::min<std::size_t>(3, data.size() - at);
    std::uint32_t group = 0;
    for (std::size_t i = 0; i < 3; ++i)
      group = group << 8 | (i < n ? std::to_integer<std::uint32_t>(data[at + i]) : 0u);
    for (std::size_t i = 0; i < 4; ++i)
      out += i <= n ? kAlphabet[(group >> (18 - 6 * i)) & 0x3F] : '=';
  }
  return out;
}

std::string accept_for(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string joined(key);
  joined += kGuid;
  const auto digest = sha1(std::as_bytes(std::span(joined.data(), joined.size())));
  return base64(digest);
}

}  // namespace sockkit::transport::ws
