// SPDX-License-Identifier: MIT
// WebSocket frame headers (RFC 6455 §5.2) and masking (§5.3).
#include "sockkit/error.hpp"
#include "transport/websocket/codec.hpp"

namespace sockkit::transport::ws {

std::size_t put_header(std::span<std::byte, kMaxHeader> out, Opcode opcode, bool fin,
                       std::uint64_t payload_size, const MaskKey* mask) noexcept {
  out[0] =
      std::byte{static_cast<std::uint8_t>((fin ? 0x80 : 0) | static_cast<std::uint8_t>(opcode))};
  const std::byte mask_bit{static_cast<std::uint8_t>(mask != nullptr ? 0x80 : 0)};
  std::size_t at = 2;
  if (payload_size < 126) {
    out[1] = mask_bit | std::byte{static_cast<std::uint8_t>(payload_size)};
  } else if (payload_size <= 0xFFFF) {
    out[1] = mask_bit | std::byte{126};
    out[2] = std::byte{static_cast<std::uint8_t>(payload_size >> 8)};
    out[3] = std::byte{static_cast<std::uint8_t>(payload_size)};
    at = 4;
  } else {
    out[1] = mask_bit | std::byte{127};
    for (int i = 0; i < 8; ++i)
      out[2 + static_cast<std::size_t>(i)] =
          std::byte{static_cast<std::uint8_t>(payload_size >> (56 - 8 * i))};
    at = 10;
  }
  if (mask != nullptr) {
    for (std::size_t i = 0; i < 4; ++i)
      out[at + i] = (*mask)[i];
    at += 4;
  }
  return at;
}

void apply_mask(std::span<std::byte> data, const MaskKey& mask, std::uint64_t offset) noexcept {
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] ^= mask[(offset + i) & 3];
}

Result<FrameHeader> parse_header(std::span<const std::byte> in) noexcept {
  const auto broken = make_error_code(failure::websocket_protocol_error);
  if (in.size() < 2) return make_error(std::errc::operation_would_block);
  const auto b0 = std::to_integer<std::uint8_t>(in[0]);
  const auto b1 = std::to_integer<std::uint8_t>(in[1]);
  if (b0 & 0x70) return broken;  // RSV1-3: no extension was agreed
  const std::uint8_t op = b0 & 0x0F;
  if (op > 0xA || (op > 0x2 && op < 0x8)) return broken;
  FrameHeader h;
  h.opcode = static_cast<Opcode>(op);
  h.fin = b0 & 0x80;
  h.masked = b1 & 0x80;
  const std::uint8_t len7 = b1 & 0x7F;
  std::size_t at = 2;
  if (len7 < 126) {
    h.payload_size = len7;
  } else {
    const std::size_t bytes = len7 == 126 ? 2 : 8;
    if (in.size() < at + bytes) return make_error(std::errc::operation_would_block);
    for (std::size_t i = 0; i < bytes; ++i)
      h.payload_size = h.payload_size << 8 | std::to_integer<std::uint8_t>(in[at + i]);
    at += bytes;
    // The shortest form only, and the 64-bit length's top bit clear (§5.2).
    if (len7 == 126 && h.payload_size < 126) return broken;
    if (len7 == 127 && (h.payload_size <= 0xFFFF || h.payload_size >> 63)) return broken;
  }
  if (is_control(h.opcode) && (!h.fin || h.payload_size > kMaxControlPayload)) return broken;
  if (h.masked) {
    if (in.size() < at + 4) return make_error(std::errc::operation_would_block);
    for (std::size_t i = 0; i < 4; ++i)
      h.mask[i] = in[at + i];
    at += 4;
  }
  h.header_size = at;
  return h;
}

}  // namespace sockkit::transport::ws
