// SPDX-License-Identifier: MIT
// The MQTT codec's readers: nothing read from a broker is trusted. Every
// length is checked against the packet, strings must be UTF-8 without U+0000,
// reserved flags must be as the standard fixes them.
#include "mqtt/codec_io.hpp"

namespace sockkit::mqtt::codec {
namespace {
using io::read_properties;
using io::Reader;

ErrorCode malformed() noexcept {
  return make_error_code(reason::malformed_packet);
}
ErrorCode protocol() noexcept {
  return make_error_code(reason::protocol_error);
}

bool valid_qos(std::uint8_t q) noexcept {
  return q <= 2;
}

}  // namespace

Frame frame(std::span<const std::byte> in, std::uint32_t max_packet, FixedHeader& out) noexcept {
  if (in.empty()) return Frame::need_more;
  const auto first = std::to_integer<std::uint8_t>(in[0]);
  std::uint32_t remaining = 0;
  std::size_t i = 1;
  for (int shift = 0;; shift += 7) {
    if (i >= in.size()) return Frame::need_more;
    if (shift > 21) return Frame::malformed;
    const auto b = std::to_integer<std::uint8_t>(in[i++]);
    remaining |= std::uint32_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  const std::uint8_t type = first >> 4;
  if (type == 0) return Frame::malformed;  // reserved
  out.type = static_cast<PacketType>(type);
  out.flags = first & 0x0f;
  out.remaining = remaining;
  out.header_size = static_cast<std::uint8_t>(i);
  if (out.total() > max_packet) return Frame::too_large;
  return in.size() >= out.total() ? Frame::complete : Frame::need_more;
}

Result<Connack> read_connack(Version v, const FixedHeader& h,
                             std::span<const std::byte> body) noexcept {
  if (h.type != PacketType::connack || h.flags != 0) return malformed();
  Reader r(body);
  Connack c;
  const std::uint8_t ack_flags = r.u8();
  const std::uint8_t code = r.u8();
  if (!r.ok()) return malformed();
  // MQTT 3.1 reserves the first byte and never says whether a session was kept.
  if (v != Version::v3_1 && (ack_flags & 0xfe) != 0) return malformed();
  c.session_present = v != Version::v3_1 && (ack_flags & 1) != 0;
  if (is_v5(v)) {
    c.code = code;
    if (auto ec = read_properties(r, c.properties, io::kConnackProperties)) return ec;
  } else {
    // 3.1.1 return codes 1..5, as the MQTT 5 reason codes that mean the same.
    static constexpr std::uint8_t kAs5[] = {0x00, 0x84, 0x85, 0x88, 0x86, 0x87};
    if (code >= sizeof kAs5) return malformed();
    c.code = kAs5[code];
  }
  if (!r.at_end() || !r.ok()) return malformed();
  if (c.code != 0 && c.session_present) return protocol();
  return c;
}

Result<Publish> read_publish(Version v, const FixedHeader& h, std::span<const std::byte> body,
                             Properties* properties) noexcept {
  if (h.type != PacketType::publish) return malformed();
  Publish p;
  const std::uint8_t qos = (h.flags >> 1) & 3;
  if (!valid_qos(qos)) return malformed();
  p.qos = static_cast<QoS>(qos);
  p.dup = (h.flags & 0x08) != 0;
  p.retain = (h.flags & 1) != 0;
  if (p.qos == QoS::at_most_once && p.dup) return malformed();
  Reader r(body);
  p.topic = r.text();
  if (p.qos != QoS::at_most_once) {
    p.packet_id = r.u16();
    if (r.ok() && p.packet_id == 0) return malformed();
  }
  Properties props;
  if (is_v5(v)) {
    if (auto ec = read_properties(r, props, io::kPublishProperties)) return ec;
    if (props.topic_alias) p.topic_alias = *props.topic_alias;
  }
  if (!r.ok()) return malformed();
  p.payload = r.bytes(r.left());
  if (p.topic.find_first_of("+#") != std::string_view::npos) return malformed();
  if (p.topic.empty() && p.topic_alias == 0) return malformed();
  if (properties != nullptr) *properties = props;
  return p;
}

Result<Ack> read_ack(Version v, const FixedHeader& h, std::span<const std::byte> body,
                     Properties* properties) noexcept {
  Properties ignored;
  Properties& props = properties != nullptr ? *properties : ignored;
  const std::uint8_t want_flags = h.type == PacketType::pubrel ? 2 : 0;
  if (h.flags != want_flags) return malformed();
  if (h.type != PacketType::puback && h.type != PacketType::pubrec &&
      h.type != PacketType::pubrel && h.type != PacketType::pubcomp &&
      h.type != PacketType::unsuback)
    return malformed();
  Reader r(body);
  Ack a;
  a.packet_id = r.u16();
  if (!r.ok() || a.packet_id == 0) return malformed();
  if (is_v5(v) && h.type == PacketType::unsuback) {
    if (auto ec = read_properties(r, props, io::kAckProperties)) return ec;
    if (r.at_end()) return malformed();  // one code per filter
    a.code = r.u8();
    (void)r.bytes(r.left());
  } else if (is_v5(v) && !r.at_end()) {
    a.code = r.u8();
    if (!r.at_end()) {
      if (auto ec = read_properties(r, props, io::kAckProperties)) return ec;
    }
  }
  if (!r.ok() || !r.at_end()) return malformed();
  return a;
}

Result<Suback> read_suback(Version v, const FixedHeader& h, std::span<const std::byte> body,
                           Properties* properties) noexcept {
  Properties ignored;
  Properties& props = properties != nullptr ? *properties : ignored;
  if (h.type != PacketType::suback || h.flags != 0) return malformed();
  Reader r(body);
  Suback s;
  s.packet_id = r.u16();
  if (!r.ok() || s.packet_id == 0) return malformed();
  if (is_v5(v)) {
    if (auto ec = read_properties(r, props, io::kAckProperties)) return ec;
  }
  s.codes = r.bytes(r.left());
  if (!r.ok() || s.codes.empty()) return malformed();
  for (auto b : s.codes) {
    const auto code = std::to_integer<std::uint8_t>(b);
    // MQTT 3.1.1 added the failure code 0x80 to the granted QoS 0..2 of 3.1.
    if (v == Version::v3_1 && code > 2) return malformed();
    if (v == Version::v3_1_1 && code > 2 && code != 0x80) return malformed();
  }
  return s;
}

Result<Ack> read_disconnect(Version v, const FixedHeader& h, std::span<const std::byte> body,
                            Properties* properties) noexcept {
  Properties ignored;
  Properties& props = properties != nullptr ? *properties : ignored;
  if (h.type != PacketType::disconnect || h.flags != 0) return malformed();
  // A 3.1.1 broker never sends DISCONNECT; an MQTT 5 one says why.
  if (!is_v5(v)) return protocol();
  Reader r(body);
  Ack a;
  if (!r.at_end()) {
    a.code = r.u8();
    if (!r.at_end()) {
      if (auto ec = read_properties(r, props, io::kDisconnectProperties)) return ec;
    }
  }
  if (!r.ok() || !r.at_end()) return malformed();
  return a;
}

Result<Ack> read_auth(Version v, const FixedHeader& h, std::span<const std::byte> body,
                      Properties* properties) noexcept {
  Properties ignored;
  Properties& props = properties != nullptr ? *properties : ignored;
  if (h.type != PacketType::auth || h.flags != 0) return malformed();
  if (!is_v5(v)) return protocol();  // AUTH is MQTT 5's
  Reader r(body);
  Ack a;
  if (!r.at_end()) {
    a.code = r.u8();
    if (auto ec = read_properties(r, props, io::kAuthProperties)) return ec;
  }
  if (!r.ok() || !r.at_end()) return malformed();
  if (a.code != 0x00 && a.code != 0x18 && a.code != 0x19) return protocol();
  return a;
}

bool valid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = s[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

bool valid_topic_name(std::string_view topic) noexcept {
  return !topic.empty() && topic.size() <= 0xffff &&
         topic.find_first_of("+#") == std::string_view::npos && valid_utf8(topic);
}

bool valid_topic_filter(std::string_view filter) noexcept {
  if (filter.empty() || filter.size() > 0xffff || !valid_utf8(filter)) return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = filter.find('/', start);
    const std::string_view level =
        filter.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (level.find_first_of("+#") != std::string_view::npos && level.size() != 1) return false;
    if (level == "#" && end != std::string_view::npos) return false;  // '#' ends the filter
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace sockkit::mqtt::codec
