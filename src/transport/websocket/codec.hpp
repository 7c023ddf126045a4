// SPDX-License-Identifier: MIT
// WebSocket's wire format (RFC 6455), without I/O: frame headers both ways,
// masking, the upgrade request and the check of the server's answer. The
// session (session.cpp) moves the bytes; everything here is a pure function.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sockkit/result.hpp"
#include "sockkit/websocket.hpp"

namespace sockkit::transport::ws {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

inline bool is_control(Opcode op) noexcept {
  return static_cast<std::uint8_t>(op) & 0x8;
}

using MaskKey = std::array<std::byte, 4>;

/// The longest frame header: 2 bytes, a 64-bit length, a masking key.
inline constexpr std::size_t kMaxHeader = 14;
/// Control frames carry at most this much (and are never fragmented).
inline constexpr std::size_t kMaxControlPayload = 125;

/// Close codes the library sends or tells apart.
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseProtocolError = 1002;

struct FrameHeader {
  Opcode opcode = Opcode::binary;
  bool fin = true;
  bool masked = false;
  MaskKey mask{};
  std::uint64_t payload_size = 0;
  std::size_t header_size = 0;  // bytes of the header itself
};

/// Writes a frame's header into `out` and returns its size. `mask` null: unmasked.
std::size_t put_header(std::span<std::byte, kMaxHeader> out, Opcode opcode, bool fin,
                       std::uint64_t payload_size, const MaskKey* mask) noexcept;

/// XORs `data` with the key, as if it started `offset` bytes into the payload.
void apply_mask(std::span<std::byte> data, const MaskKey& mask, std::uint64_t offset) noexcept;

/// Reads a header from the front of `in`: the header, would_block when `in`
/// holds only part of it, or websocket_protocol_error for one RFC 6455
/// forbids (reserved bits — no extension is ever agreed —, unknown opcodes, a
/// fragmented or oversized control frame, a length with its top bit set or
/// not in its shortest form).
Result<FrameHeader> parse_header(std::span<const std::byte> in) noexcept;

/// The Sec-WebSocket-Accept a server must answer `key` with.
std::string accept_for(std::string_view key);

/// Base64 (RFC 4648, padded) of `data`.
std::string base64(std::span<const std::byte> data);

/// SHA-1 (FIPS 180-4) of `data`: what the upgrade's accept key is made of.
std::array<std::byte, 20> sha1(std::span<const std::byte> data) noexcept;

/// The HTTP/1.1 upgrade request for `options`, with `host` as the Host header
/// (when options.host is empty) and `key` as Sec-WebSocket-Key.
std::string upgrade_request(const WebSocketOptions& options, std::string_view host,
                            std::string_view key);

/// Where the response head ends (just past "\r\n\r\n"), or 0 while incomplete.
std::size_t head_size(std::string_view received) noexcept;

/// Checks the server's response head against the request: status 101,
/// "Upgrade: websocket", "Connection: upgrade", the accept key, a protocol
/// that was offered (or none), no extension. `chosen` gets the protocol.
Status check_upgrade_response(std::string_view head, std::string_view key,
                              const WebSocketOptions& options, std::string& chosen);

}  // namespace sockkit::transport::ws
