// SPDX-License-Identifier: MIT
// The MQTT codec's readers: nothing read from a broker is trusted. Every
// length is checked against the packet, strings must be UTF-8 without U+0000,
// reserved flags must be as the standard fixes them.
#include "mqtt/codec.hpp"

namespace sockkit::mqtt::codec {
namespace {

std::error_code malformed() noexcept {
  return make_error_code(reason::malformed_packet);
}
std::error_code protocol() noexcept {
  return make_error_code(reason::protocol_error);
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

template <class T>
bool set_once(std::optional<T>& slot, T value) noexcept {
  if (slot) return false;  // the standard allows most properties once
  slot = value;
  return true;
}

/// Reads a property block; unknown identifiers are malformed, repeated or
/// out-of-range values a protocol error.
std::error_code read_properties(Reader& r, Properties& p) noexcept {
  const std::uint32_t length = r.varint();
  if (!r.ok() || length > r.left()) return malformed();
  Reader in(r.bytes(length));
  bool once = true;
  while (in.ok() && !in.at_end()) {
    const std::uint32_t id = in.varint();
    switch (id) {
      case 0x01:
      case 0x17:
      case 0x19:
      case 0x28:
      case 0x29:
      case 0x2A:
        if (in.u8() > 1) return protocol();
        break;
      case 0x02:
      case 0x18:
        (void)in.u32();
        break;
      case 0x03:
      case 0x08:
      case 0x15:
      case 0x1A:
      case 0x1C:
        (void)in.text();
        break;
      case 0x09:
      case 0x16:
        (void)in.binary();
        break;
      case 0x0B:
        if (in.varint() == 0) return protocol();
        break;
      case 0x11:
        once &= set_once(p.session_expiry, in.u32());
        break;
      case 0x12:
        once &= set_once(p.assigned_client_id, in.text());
        break;
      case 0x13:
        once &= set_once(p.server_keep_alive, in.u16());
        break;
      case 0x1F:
        once &= set_once(p.reason_string, in.text());
        break;
      case 0x21:
        once &= set_once(p.receive_maximum, in.u16());
        if (p.receive_maximum == 0) return protocol();
        break;
      case 0x22:
        once &= set_once(p.topic_alias_maximum, in.u16());
        break;
      case 0x23:
        once &= set_once(p.topic_alias, in.u16());
        if (p.topic_alias == 0) return protocol();
        break;
      case 0x24:
        once &= set_once(p.maximum_qos, in.u8());
        if (*p.maximum_qos > 1) return protocol();
        break;
      case 0x25: {
        const std::uint8_t v = in.u8();
        if (v > 1) return protocol();
        once &= set_once(p.retain_available, v == 1);
        break;
      }
      case 0x26:
        (void)in.text();
        (void)in.text();
        break;
      case 0x27:
        once &= set_once(p.maximum_packet_size, in.u32());
        if (p.maximum_packet_size == 0u) return protocol();
        break;
      default:
        return malformed();
    }
  }
  if (!in.ok()) return malformed();
  if (!once) return protocol();
  return {};
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
  if (!r.ok() || (ack_flags & 0xfe) != 0) return malformed();
  c.session_present = (ack_flags & 1) != 0;
  if (is_v5(v)) {
    c.code = code;
    if (auto ec = read_properties(r, c.properties)) return ec;
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
    if (auto ec = read_properties(r, props)) return ec;
    if (props.topic_alias) p.topic_alias = *props.topic_alias;
  }
  if (!r.ok()) return malformed();
  p.payload = r.bytes(r.left());
  if (p.topic.find_first_of("+#") != std::string_view::npos) return malformed();
  if (p.topic.empty() && p.topic_alias == 0) return malformed();
  if (properties != nullptr) *properties = props;
  return p;
}

Result<Ack> read_ack(Version v, const FixedHeader& h, std::span<const std::byte> body) noexcept {
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
    Properties ignored;
    if (auto ec = read_properties(r, ignored)) return ec;
    if (r.at_end()) return malformed();  // one code per filter
    a.code = r.u8();
    (void)r.bytes(r.left());
  } else if (is_v5(v) && !r.at_end()) {
    a.code = r.u8();
    if (!r.at_end()) {
      Properties ignored;
      if (auto ec = read_properties(r, ignored)) return ec;
    }
  }
  if (!r.ok() || !r.at_end()) return malformed();
  return a;
}

Result<Suback> read_suback(Version v, const FixedHeader& h,
                           std::span<const std::byte> body) noexcept {
  if (h.type != PacketType::suback || h.flags != 0) return malformed();
  Reader r(body);
  Suback s;
  s.packet_id = r.u16();
  if (!r.ok() || s.packet_id == 0) return malformed();
  if (is_v5(v)) {
    Properties ignored;
    if (auto ec = read_properties(r, ignored)) return ec;
  }
  s.codes = r.bytes(r.left());
  if (!r.ok() || s.codes.empty()) return malformed();
  for (auto b : s.codes) {
    const auto code = std::to_integer<std::uint8_t>(b);
    if (v == Version::v3_1_1 && code > 2 && code != 0x80) return malformed();
  }
  return s;
}

Result<Ack> read_disconnect(Version v, const FixedHeader& h,
                            std::span<const std::byte> body) noexcept {
  if (h.type != PacketType::disconnect || h.flags != 0) return malformed();
  // A 3.1.1 broker never sends DISCONNECT; an MQTT 5 one says why.
  if (!is_v5(v)) return protocol();
  Reader r(body);
  Ack a;
  if (!r.at_end()) {
    a.code = r.u8();
    if (!r.at_end()) {
      Properties ignored;
      if (auto ec = read_properties(r, ignored)) return ec;
    }
  }
  if (!r.ok() || !r.at_end()) return malformed();
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
