// SPDX-License-Identifier: MIT
// MQTT 5 properties: reading a block (each property checked for form and for
// whether the packet may carry it), walking a checked block in place for the
// ones that repeat, and writing a publication's.
#include "mqtt/codec_io.hpp"

namespace sockkit::mqtt {
namespace codec {
namespace {

ErrorCode malformed() noexcept {
  return make_error_code(reason::malformed_packet);
}
ErrorCode protocol() noexcept {
  return make_error_code(reason::protocol_error);
}

template <class T, class U>
bool set_once(std::optional<T>& slot, U value) noexcept {
  if (slot) return false;  // the standard allows each of these once
  slot = value;
  return true;
}

bool set_flag(std::optional<bool>& slot, std::uint8_t value, bool& range) noexcept {
  range &= value <= 1;
  return set_once(slot, value == 1);
}

}  // namespace

ErrorCode io::read_properties(Reader& r, Properties& p, std::uint64_t allowed) noexcept {
  const std::uint32_t length = r.varint();
  if (!r.ok() || length > r.left()) return malformed();
  p.block = r.bytes(length);
  Reader in(p.block);
  bool once = true;
  bool range = true;
  while (in.ok() && !in.at_end()) {
    // Identifiers are one byte: a longer encoding is not one the standard has.
    const std::uint8_t id = in.u8();
    if (id >= 64 || (allowed >> id & 1) == 0) return malformed();
    switch (id) {
      case 0x01:
        once &= set_once(p.payload_format, in.u8());
        range &= *p.payload_format <= 1;
        break;
      case 0x02:
        once &= set_once(p.message_expiry, in.u32());
        break;
      case 0x03:
        once &= set_once(p.content_type, in.text());
        break;
      case 0x08:
        once &= set_once(p.response_topic, in.text());
        range &= p.response_topic->find_first_of("+#") == std::string_view::npos &&
                 !p.response_topic->empty();
        break;
      case 0x09:
        once &= set_once(p.correlation_data, in.binary());
        break;
      case 0x0B: {  // may repeat: one per matching subscription
        const std::uint32_t sid = in.varint();
        range &= sid != 0;
        break;
      }
      case 0x11:
        once &= set_once(p.session_expiry, in.u32());
        break;
      case 0x12:
        once &= set_once(p.assigned_client_id, in.text());
        break;
      case 0x13:
        once &= set_once(p.server_keep_alive, in.u16());
        break;
      case 0x15:
        once &= set_once(p.authentication_method, in.text());
        break;
      case 0x16:
        once &= set_once(p.authentication_data, in.binary());
        break;
      case 0x1A:
        once &= set_once(p.response_information, in.text());
        break;
      case 0x1C:
        once &= set_once(p.server_reference, in.text());
        break;
      case 0x1F:
        once &= set_once(p.reason_string, in.text());
        break;
      case 0x21:
        once &= set_once(p.receive_maximum, in.u16());
        range &= *p.receive_maximum != 0;
        break;
      case 0x22:
        once &= set_once(p.topic_alias_maximum, in.u16());
        break;
      case 0x23:
        once &= set_once(p.topic_alias, in.u16());
        range &= *p.topic_alias != 0;
        break;
      case 0x24:
        once &= set_once(p.maximum_qos, in.u8());
        range &= *p.maximum_qos <= 1;
        break;
      case 0x25:
        once &= set_flag(p.retain_available, in.u8(), range);
        break;
      case 0x26:  // may repeat
        (void)in.text();
        (void)in.text();
        break;
      case 0x27:
        once &= set_once(p.maximum_packet_size, in.u32());
        range &= *p.maximum_packet_size != 0;
        break;
      case 0x28:
        once &= set_flag(p.wildcards_available, in.u8(), range);
        break;
      case 0x29:
        once &= set_flag(p.subscription_ids_available, in.u8(), range);
        break;
      case 0x2A:
        once &= set_flag(p.shared_subscriptions_available, in.u8(), range);
        break;
      default:
        return malformed();
    }
  }
  if (!in.ok()) return malformed();
  if (!once || !range) return protocol();
  return {};
}

Result<std::size_t> publish_properties_size(const PublishProperties& p) noexcept {
  if (!io::valid_message_properties(p.content_type, p.response_topic, p.correlation_data,
                                    p.user_properties))
    return make_error(std::errc::invalid_argument);
  io::Writer measure;
  io::put_message_properties(measure, p.payload_utf8, p.content_type, p.response_topic,
                             p.correlation_data, p.user_properties);
  return measure.size();
}

void write_publish_properties(const PublishProperties& p, std::span<std::byte> out) noexcept {
  io::Writer w(out);
  io::put_message_properties(w, p.payload_utf8, p.content_type, p.response_topic,
                             p.correlation_data, p.user_properties);
}

bool valid_user_properties(const UserPropertyStrings& user_properties) noexcept {
  return io::valid_message_properties({}, {}, {}, user_properties);
}

bool valid_connect_properties(const Options& settings) noexcept {
  if (!io::valid_message_properties({}, {}, {}, settings.user_properties)) return false;
  if (!settings.will) return true;
  const Will& will = *settings.will;
  return will.delay.count() >= 0 && (!will.expiry || will.expiry->count() > 0) &&
         io::valid_message_properties(will.content_type, will.response_topic,
                                      std::as_bytes(std::span(will.correlation_data)),
                                      will.user_properties);
}

bool has_connect_properties(const Options& settings) noexcept {
  if (!settings.user_properties.empty()) return true;
  if (!settings.will) return false;
  const Will& will = *settings.will;
  return will.delay.count() != 0 || will.expiry || will.payload_utf8 ||
         !will.content_type.empty() || !will.response_topic.empty() ||
         !will.correlation_data.empty() || !will.user_properties.empty();
}

void fill_message_properties(const Properties& p, Message& m) noexcept {
  if (p.message_expiry) m.expiry = std::chrono::seconds(*p.message_expiry);
  m.payload_utf8 = p.payload_format.value_or(0) == 1;
  m.content_type = p.content_type.value_or(std::string_view{});
  m.response_topic = p.response_topic.value_or(std::string_view{});
  m.correlation_data = p.correlation_data.value_or(std::span<const std::byte>{});
  m.user_properties = UserProperties(p.block);
  m.subscription_ids = SubscriptionIds(p.block);
}

}  // namespace codec

// The walkers below trust the block: read_properties() checked it first.
namespace {

std::size_t u16_at(std::span<const std::byte> b, std::size_t at) noexcept {
  return std::to_integer<std::size_t>(b[at]) << 8 | std::to_integer<std::size_t>(b[at + 1]);
}

std::size_t varint_end(std::span<const std::byte> b, std::size_t at) noexcept {
  while ((std::to_integer<unsigned>(b[at]) & 0x80) != 0)
    ++at;
  return at + 1;
}

/// Where the property after the one at `at` starts.
std::size_t skip_property(std::span<const std::byte> block, std::size_t at) noexcept {
  const std::size_t value = at + 1;
  switch (std::to_integer<std::uint8_t>(block[at])) {
    case 0x01:
    case 0x17:
    case 0x19:
    case 0x24:
    case 0x25:
    case 0x28:
    case 0x29:
    case 0x2A:
      return value + 1;
    case 0x13:
    case 0x21:
    case 0x22:
    case 0x23:
      return value + 2;
    case 0x02:
    case 0x11:
    case 0x18:
    case 0x27:
      return value + 4;
    case 0x0B:
      return varint_end(block, value);
    case 0x26: {
      const std::size_t second = value + 2 + u16_at(block, value);
      return second + 2 + u16_at(block, second);
    }
    default:  // a string or binary: a two-byte length, then the bytes
      return value + 2 + u16_at(block, value);
  }
}

/// Where the next property `id` starts at or after the boundary `at`.
std::size_t next_property(std::span<const std::byte> block, std::size_t at,
                          std::uint8_t id) noexcept {
  while (at < block.size() && std::to_integer<std::uint8_t>(block[at]) != id)
    at = skip_property(block, at);
  return std::min(at, block.size());
}

template <class T>
struct Kind;
template <>
struct Kind<UserProperty> {
  static constexpr std::uint8_t id = 0x26;
  static UserProperty at(std::span<const std::byte> block, std::size_t offset) noexcept {
    auto text = [&](std::size_t from) {
      return std::string_view(reinterpret_cast<const char*>(block.data()) + from + 2,
                              u16_at(block, from));
    };
    const std::size_t name = offset + 1;
    return {text(name), text(name + 2 + u16_at(block, name))};
  }
};
template <>
struct Kind<std::uint32_t> {
  static constexpr std::uint8_t id = 0x0B;
  static std::uint32_t at(std::span<const std::byte> block, std::size_t offset) noexcept {
    std::uint32_t value = 0;
    int shift = 0;
    for (std::size_t i = offset + 1;; ++i, shift += 7) {
      const auto b = std::to_integer<std::uint32_t>(block[i]);
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
  }
};

}  // namespace

template <class T>
typename PropertyList<T>::iterator PropertyList<T>::begin() const noexcept {
  return {block_, next_property(block_, 0, Kind<T>::id)};
}

template <class T>
T PropertyList<T>::iterator::operator*() const noexcept {
  return Kind<T>::at(block_, at_);
}

template <class T>
typename PropertyList<T>::iterator& PropertyList<T>::iterator::operator++() noexcept {
  at_ = next_property(block_, skip_property(block_, at_), Kind<T>::id);
  return *this;
}

template class PropertyList<UserProperty>;
template class PropertyList<std::uint32_t>;
}  // namespace sockkit::mqtt
