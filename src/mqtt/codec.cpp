#include "mqtt/codec.hpp"

#include <algorithm>

namespace sockkit::mqtt::codec {
namespace {

std::error_code malformed() noexcept {
  return make_error_code(reason::malformed_packet);
}
std::error_code protocol() noexcept {
  return make_error_code(reason::protocol_error);
}

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

Result<std::size_t> write_connect(const Connect& c, std::span<std::byte> out) noexcept {
  const bool v5 = c.version == Version::v5;
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
  if (v == Version::v5) body += p.topic_alias != 0 ? 4 : 1;
  return 1 +
         varint_size(static_cast<std::uint32_t>(std::min<std::size_t>(body, kMaxRemainingLength))) +
         body;
}

Result<std::size_t> write_publish(Version v, const Publish& p, std::span<std::byte> out) noexcept {
  const bool aliased = v == Version::v5 && p.topic_alias != 0;
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
    if (v == Version::v5) {
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
    if (v == Version::v5 && code != 0) w.u8(code);  // success with no properties: omitted
  });
}

Result<std::size_t> write_subscribe(Version v, std::uint16_t packet_id,
                                    std::span<const SubscribeFilter> filters,
                                    std::span<std::byte> out) noexcept {
  if (packet_id == 0 || filters.empty() || filters.size() > kMaxSubackCodes)
    return std::make_error_code(std::errc::invalid_argument);
  for (const auto& f : filters)
    if (!valid_topic_filter(f.filter) || !valid_qos(static_cast<std::uint8_t>(f.qos)))
      return std::make_error_code(std::errc::invalid_argument);
  return emit(0x82, out, [&](Writer& w) {
    w.u16(packet_id);
    if (v == Version::v5) w.varint(0);
    for (const auto& f : filters) {
      w.text(f.filter);
      auto options = static_cast<std::uint8_t>(f.qos);
      if (v == Version::v5 && f.no_local) options |= 0x04;
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
    if (v == Version::v5) w.varint(0);
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
    if (v == Version::v5 && code != 0) w.u8(code);
  });
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
  if (v == Version::v5) {
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
  if (v == Version::v5) {
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
  if (v == Version::v5 && h.type == PacketType::unsuback) {
    Properties ignored;
    if (auto ec = read_properties(r, ignored)) return ec;
    if (r.at_end()) return malformed();  // one code per filter
    a.code = r.u8();
    (void)r.bytes(r.left());
  } else if (v == Version::v5 && !r.at_end()) {
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
  if (v == Version::v5) {
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
  if (v == Version::v3_1_1) return protocol();
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
  return !topic.empty() && fits_u16(topic.size()) &&
         topic.find_first_of("+#") == std::string_view::npos && valid_utf8(topic);
}

bool valid_topic_filter(std::string_view filter) noexcept {
  if (filter.empty() || !fits_u16(filter.size()) || !valid_utf8(filter)) return false;
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
