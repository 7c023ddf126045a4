// SPDX-License-Identifier: MIT
// The MQTT codec's writers: each packet is measured, then written into the
// caller's buffer by the same code, so sizes and bytes cannot disagree.
#include <algorithm>

#include "mqtt/codec.hpp"

namespace sockkit::mqtt::codec {
namespace {

std::size_t varint_size(std::uint32_t value) noexcept {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

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

/// The fixed header, then `body` (called twice: once to measure, once to write).
template <class Body>
Result<std::size_t> emit(std::uint8_t first, std::span<std::byte> out, const Body& body) noexcept {
  Writer measure;
  body(measure);
  if (measure.size() > kMaxRemainingLength) return make_error_code(reason::packet_too_large);
  const auto remaining = static_cast<std::uint32_t>(measure.size());
  const std::size_t total = 1 + varint_size(remaining) + remaining;
  if (total > out.size()) return failure::limit_reached;
  Writer w(out);
  w.u8(first);
  w.varint(remaining);
  body(w);
  return total;
}

/// An MQTT 5 property block: its length, then `props` (measured first).
template <class Props>
void property_block(Writer& w, const Props& props) {
  Writer measure;
  props(measure);
  w.varint(static_cast<std::uint32_t>(measure.size()));
  props(w);
}

bool fits_u16(std::size_t n) noexcept {
  return n <= 0xffff;
}

}  // namespace

Result<std::size_t> write_connect(const Connect& c, std::span<std::byte> out) noexcept {
  const bool v5 = is_v5(c.version);
  if (!fits_u16(c.client_id.size()) || !valid_utf8(c.client_id))
    return std::make_error_code(std::errc::invalid_argument);
  if (c.will != nullptr && (!valid_topic_name(c.will->topic) || !fits_u16(c.will->payload.size())))
    return std::make_error_code(std::errc::invalid_argument);
  if ((c.user_name && (!fits_u16(c.user_name->size()) || !valid_utf8(*c.user_name))) ||
      (c.password && !fits_u16(c.password->size())))
    return std::make_error_code(std::errc::invalid_argument);
  if (!v5 && c.password && !c.user_name) return std::make_error_code(std::errc::invalid_argument);
  std::uint8_t flags = c.clean ? 0x02 : 0;
  if (c.will != nullptr)
    flags |= 0x04 | static_cast<std::uint8_t>(static_cast<unsigned>(c.will->qos) << 3) |
             (c.will->retain ? 0x20 : 0);
  if (c.password) flags |= 0x40;
  if (c.user_name) flags |= 0x80;
  return emit(0x10, out, [&](Writer& w) {
    w.text("MQTT");
    w.u8(static_cast<std::uint8_t>(c.version));
    w.u8(flags);
    w.u16(c.keepalive_s);
    if (v5)
      property_block(w, [&](Writer& p) {
        if (c.session_expiry != 0) {
          p.u8(0x11);
          p.u32(c.session_expiry);
        }
        if (c.receive_maximum != 0) {
          p.u8(0x21);
          p.u16(c.receive_maximum);
        }
        if (c.maximum_packet_size != 0) {
          p.u8(0x27);
          p.u32(c.maximum_packet_size);
        }
        if (c.topic_alias_maximum != 0) {
          p.u8(0x22);
          p.u16(c.topic_alias_maximum);
        }
      });
    w.text(c.client_id);
    if (c.will != nullptr) {
      if (v5) w.u8(0);  // no will properties
      w.text(c.will->topic);
      w.text(c.will->payload);
    }
    if (c.user_name) w.text(*c.user_name);
    if (c.password) w.text(*c.password);
  });
}

std::size_t publish_size(Version v, const Publish& p) noexcept {
  std::size_t body = 2 + p.topic.size() + p.payload.size();
  if (p.qos != QoS::at_most_once) body += 2;
  if (is_v5(v)) body += p.topic_alias != 0 ? 4 : 1;
  return 1 +
         varint_size(static_cast<std::uint32_t>(std::min<std::size_t>(body, kMaxRemainingLength))) +
         body;
}

Result<std::size_t> write_publish(Version v, const Publish& p, std::span<std::byte> out) noexcept {
  const bool aliased = is_v5(v) && p.topic_alias != 0;
  if (!(p.topic.empty() && aliased) && !valid_topic_name(p.topic))
    return std::make_error_code(std::errc::invalid_argument);
  if (p.qos != QoS::at_most_once && p.packet_id == 0)
    return std::make_error_code(std::errc::invalid_argument);
  if (p.qos == QoS::at_most_once && p.dup) return std::make_error_code(std::errc::invalid_argument);
  const auto first = static_cast<std::uint8_t>(
      0x30 | (p.dup ? 0x08 : 0) | static_cast<unsigned>(p.qos) << 1 | (p.retain ? 1 : 0));
  return emit(first, out, [&](Writer& w) {
    w.text(p.topic);
    if (p.qos != QoS::at_most_once) w.u16(p.packet_id);
    if (is_v5(v)) {
      if (aliased) {
        w.varint(3);
        w.u8(0x23);
        w.u16(p.topic_alias);
      } else {
        w.varint(0);
      }
    }
    w.raw(p.payload);
  });
}

Result<std::size_t> write_ack(Version v, PacketType type, std::uint16_t packet_id,
                              std::uint8_t code, std::span<std::byte> out) noexcept {
  if (packet_id == 0) return std::make_error_code(std::errc::invalid_argument);
  const auto first = static_cast<std::uint8_t>(static_cast<unsigned>(type) << 4 |
                                               (type == PacketType::pubrel ? 2 : 0));
  return emit(first, out, [&](Writer& w) {
    w.u16(packet_id);
    if (is_v5(v) && code != 0) w.u8(code);  // success with no properties: omitted
  });
}

Result<std::size_t> write_subscribe(Version v, std::uint16_t packet_id,
                                    std::span<const SubscribeFilter> filters,
                                    std::span<std::byte> out) noexcept {
  if (packet_id == 0 || filters.empty() || filters.size() > kMaxSubackCodes)
    return std::make_error_code(std::errc::invalid_argument);
  for (const auto& f : filters)
    if (!valid_topic_filter(f.filter) || static_cast<unsigned>(f.qos) > 2)
      return std::make_error_code(std::errc::invalid_argument);
  return emit(0x82, out, [&](Writer& w) {
    w.u16(packet_id);
    if (is_v5(v)) w.varint(0);
    for (const auto& f : filters) {
      w.text(f.filter);
      auto options = static_cast<std::uint8_t>(f.qos);
      if (is_v5(v) && f.no_local) options |= 0x04;
      w.u8(options);
    }
  });
}

Result<std::size_t> write_unsubscribe(Version v, std::uint16_t packet_id,
                                      std::span<const std::string_view> filters,
                                      std::span<std::byte> out) noexcept {
  if (packet_id == 0 || filters.empty()) return std::make_error_code(std::errc::invalid_argument);
  for (auto f : filters)
    if (!valid_topic_filter(f)) return std::make_error_code(std::errc::invalid_argument);
  return emit(0xa2, out, [&](Writer& w) {
    w.u16(packet_id);
    if (is_v5(v)) w.varint(0);
    for (auto f : filters)
      w.text(f);
  });
}

Result<std::size_t> write_pingreq(std::span<std::byte> out) noexcept {
  return emit(0xc0, out, [](Writer&) {});
}

Result<std::size_t> write_disconnect(Version v, std::uint8_t code,
                                     std::span<std::byte> out) noexcept {
  return emit(0xe0, out, [&](Writer& w) {
    if (is_v5(v) && code != 0) w.u8(code);
  });
}

}  // namespace sockkit::mqtt::codec
