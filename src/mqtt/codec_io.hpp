// SPDX-License-Identifier: MIT
// The MQTT codec's byte cursors, shared by its readers and writers: a Reader
// that fails (and stays failed) rather than read past its input, and a Writer
// that counts what does not fit, so one piece of code measures and writes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "mqtt/codec.hpp"
#include "sockkit/error.hpp"

namespace sockkit::mqtt::codec::io {

inline std::size_t varint_size(std::uint32_t value) noexcept {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

class Reader {
 public:
  explicit Reader(std::span<const std::byte> in) noexcept : in_(in) {}
  bool ok() const noexcept { return ok_; }
  bool at_end() const noexcept { return pos_ == in_.size(); }
  std::size_t left() const noexcept { return in_.size() - pos_; }

  std::uint8_t u8() noexcept {
    if (!need(1)) return 0;
    return std::to_integer<std::uint8_t>(in_[pos_++]);
  }
  std::uint16_t u16() noexcept {
    const std::uint16_t hi = u8();
    return static_cast<std::uint16_t>(hi << 8 | u8());
  }
  std::uint32_t u32() noexcept {
    const std::uint32_t hi = u16();
    return hi << 16 | u16();
  }
  std::uint32_t varint() noexcept {
    std::uint32_t value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      const std::uint8_t b = u8();
      value |= std::uint32_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return value;
    }
    ok_ = false;  // a fifth byte: not MQTT
    return 0;
  }
  std::span<const std::byte> bytes(std::size_t n) noexcept {
    if (!need(n)) return {};
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::span<const std::byte> binary() noexcept { return bytes(u16()); }
  std::string_view text() noexcept {
    auto b = binary();
    std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
    if (!valid_utf8(s)) ok_ = false;
    return s;
  }
  void fail() noexcept { ok_ = false; }

 private:
  bool need(std::size_t n) noexcept {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

/// Counts every byte put, and stores those that fit: the same code measures
/// a packet and then writes it.
class Writer {
 public:
  explicit Writer(std::span<std::byte> out = {}) noexcept : out_(out) {}
  std::size_t size() const noexcept { return pos_; }

  void u8(std::uint8_t v) noexcept {
    if (pos_ < out_.size()) out_[pos_] = std::byte{v};
    ++pos_;
  }
  void u16(std::uint16_t v) noexcept {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) noexcept {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void varint(std::uint32_t v) noexcept {
    do {
      std::uint8_t b = v % 128;
      v /= 128;
      if (v > 0) b |= 0x80;
      u8(b);
    } while (v > 0);
  }
  void raw(std::span<const std::byte> bytes) noexcept {
    if (pos_ <= out_.size() && bytes.size() <= out_.size() - pos_)
      std::copy(bytes.begin(), bytes.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += bytes.size();
  }
  void text(std::string_view s) noexcept {  // two-byte length, then the bytes
    u16(static_cast<std::uint16_t>(s.size()));
    raw(std::as_bytes(std::span(s.data(), s.size())));
  }

 private:
  std::span<std::byte> out_;
  std::size_t pos_ = 0;
};

/// An MQTT 5 property block: its length, then `props` (measured first).
template <class Props>
void property_block(Writer& w, const Props& props) {
  Writer measure;
  props(measure);
  w.varint(static_cast<std::uint32_t>(measure.size()));
  props(w);
}

/// Which properties a packet may carry: bit N stands for identifier N.
constexpr std::uint64_t allowing(std::initializer_list<std::uint8_t> ids) noexcept {
  std::uint64_t mask = 0;
  for (auto id : ids)
    mask |= std::uint64_t{1} << id;
  return mask;
}
inline constexpr std::uint64_t kConnackProperties =
    allowing({0x11, 0x12, 0x13, 0x15, 0x16, 0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27,
              0x28, 0x29, 0x2A});
inline constexpr std::uint64_t kPublishProperties =
    allowing({0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26});
/// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK.
inline constexpr std::uint64_t kAckProperties = allowing({0x1F, 0x26});
inline constexpr std::uint64_t kDisconnectProperties = allowing({0x1C, 0x1F, 0x26});
inline constexpr std::uint64_t kAuthProperties = allowing({0x15, 0x16, 0x1F, 0x26});

/// Reads a property block into `p`: an identifier the packet may not carry
/// (not in `allowed`) or a value cut short is malformed; a property repeated
/// that may appear once, or a value out of its range, a protocol error.
ErrorCode read_properties(Reader& r, Properties& p, std::uint64_t allowed) noexcept;

/// The properties a publication and a will share, as text checks: UTF-8,
/// a response topic with no wildcards, nothing past 65,535 bytes.
template <class UserRange>
bool valid_message_properties(std::string_view content_type, std::string_view response_topic,
                              std::span<const std::byte> correlation,
                              const UserRange& users) noexcept {
  auto fits = [](std::size_t n) { return n <= 0xffff; };
  if (!fits(content_type.size()) || !valid_utf8(content_type) || !fits(correlation.size()))
    return false;
  if (!response_topic.empty() && !valid_topic_name(response_topic)) return false;
  for (const auto& [name, value] : users)
    if (!fits(name.size()) || !fits(value.size()) || !valid_utf8(name) || !valid_utf8(value))
      return false;
  return true;
}

/// Writes the properties a publication and a will share (each only if set).
template <class UserRange>
void put_message_properties(Writer& w, bool payload_utf8, std::string_view content_type,
                            std::string_view response_topic, std::span<const std::byte> correlation,
                            const UserRange& users) {
  if (payload_utf8) {
    w.u8(0x01);
    w.u8(1);
  }
  if (!content_type.empty()) {
    w.u8(0x03);
    w.text(content_type);
  }
  if (!response_topic.empty()) {
    w.u8(0x08);
    w.text(response_topic);
  }
  if (!correlation.empty()) {
    w.u8(0x09);
    w.u16(static_cast<std::uint16_t>(correlation.size()));
    w.raw(correlation);
  }
  for (const auto& [name, value] : users) {
    w.u8(0x26);
    w.text(name);
    w.text(value);
  }
}

}  // namespace sockkit::mqtt::codec::io
