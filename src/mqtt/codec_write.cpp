// SPDX-License-Identifier: MIT
// The MQTT codec's writers: each packet is measured, then written into the
// caller's buffer by the same code, so sizes and bytes cannot disagree.
#include <algorithm>

#include "mqtt/codec_io.hpp"

namespace sockkit::mqtt::codec {
namespace {
using io::property_block;
using io::varint_size;
using io::Writer;

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

bool fits_u16(std::size_t n) noexcept {
  return n <= 0xffff;
}

}  // namespace

Result<std::size_t> write_connect(const Connect& c, std::span<std::byte> out) noexcept {
  const bool v5 = is_v5(c.version);
  if (!fits_u16(c.client_id.size()) || !valid_utf8(c.client_id))
    return make_error(std::errc::invalid_argument);
  if (c.will != nullptr && (!valid_topic_name(c.will->topic) || !fits_u16(c.will->payload.size())))
    return make_error(std::errc::invalid_argument);
  if ((c.user_name && (!fits_u16(c.user_name->size()) || !valid_utf8(*c.user_name))) ||
      (c.password && !fits_u16(c.password->size())))
    return make_error(std::errc::invalid_argument);
  if (!v5 && c.password && !c.user_name) return make_error(std::errc::invalid_argument);
  const auto* will = c.will;
  if (v5 && will != nullptr &&
      !io::valid_message_properties(will->content_type, will->response_topic,
                                    std::as_bytes(std::span(will->correlation_data)),
                                    will->user_properties))
    return make_error(std::errc::invalid_argument);
  static const UserPropertyStrings kNone;
  const auto& user_properties = c.user_properties != nullptr ? *c.user_properties : kNone;
  if (v5 && !io::valid_message_properties({}, {}, {}, user_properties))
    return make_error(std::errc::invalid_argument);
  if (!fits_u16(c.authentication_method.size()) || !valid_utf8(c.authentication_method) ||
      !fits_u16(c.authentication_data.size()))
    return make_error(std::errc::invalid_argument);
  std::uint8_t flags = c.clean ? 0x02 : 0;
  if (c.will != nullptr)
    flags |= 0x04 | static_cast<std::uint8_t>(static_cast<unsigned>(c.will->qos) << 3) |
             (c.will->retain ? 0x20 : 0);
  if (c.password) flags |= 0x40;
  if (c.user_name) flags |= 0x80;
  return emit(0x10, out, [&](Writer& w) {
    w.text(c.version == Version::v3_1 ? "MQIsdp" : "MQTT");
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
        if (c.request_response_information) {
          p.u8(0x19);
          p.u8(1);
        }
        if (!c.request_problem_information) {
          p.u8(0x17);
          p.u8(0);
        }
        io::put_message_properties(p, false, {}, {}, {}, user_properties);
        if (!c.authentication_method.empty()) {
          p.u8(0x15);
          p.text(c.authentication_method);
          if (!c.authentication_data.empty()) {
            p.u8(0x16);
            p.u16(static_cast<std::uint16_t>(c.authentication_data.size()));
            p.raw(c.authentication_data);
          }
        }
      });
    w.text(c.client_id);
    if (will != nullptr) {
      if (v5)
        property_block(w, [&](Writer& p) {
          if (will->delay.count() > 0) {
            p.u8(0x18);
            p.u32(static_cast<std::uint32_t>(
                std::min<std::int64_t>(will->delay.count(), 0xffffffff)));
          }
          if (will->expiry) {
            p.u8(0x02);
            p.u32(static_cast<std::uint32_t>(
                std::clamp<std::int64_t>(will->expiry->count(), 0, 0xffffffff)));
          }
          io::put_message_properties(
              p, will->payload_utf8, will->content_type, will->response_topic,
              std::as_bytes(std::span(will->correlation_data)), will->user_properties);
        });
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
  if (is_v5(v)) {
    const std::size_t properties =
        (p.topic_alias != 0 ? 3 : 0) + (p.message_expiry != 0 ? 5 : 0) + p.properties.size();
    body += varint_size(static_cast<std::uint32_t>(properties)) + properties;
  }
  return 1 +
         varint_size(static_cast<std::uint32_t>(std::min<std::size_t>(body, kMaxRemainingLength))) +
         body;
}

Result<std::size_t> write_publish(Version v, const Publish& p, std::span<std::byte> out) noexcept {
  const bool aliased = is_v5(v) && p.topic_alias != 0;
  if (!(p.topic.empty() && aliased) && !valid_topic_name(p.topic))
    return make_error(std::errc::invalid_argument);
  if (p.qos != QoS::at_most_once && p.packet_id == 0)
    return make_error(std::errc::invalid_argument);
  if (p.qos == QoS::at_most_once && p.dup) return make_error(std::errc::invalid_argument);
  const auto first = static_cast<std::uint8_t>(
      0x30 | (p.dup ? 0x08 : 0) | static_cast<unsigned>(p.qos) << 1 | (p.retain ? 1 : 0));
  return emit(first, out, [&](Writer& w) {
    w.text(p.topic);
    if (p.qos != QoS::at_most_once) w.u16(p.packet_id);
    if (is_v5(v))
      property_block(w, [&](Writer& props) {
        if (aliased) {
          props.u8(0x23);
          props.u16(p.topic_alias);
        }
        if (p.message_expiry != 0) {
          props.u8(0x02);
          props.u32(p.message_expiry);
        }
        props.raw(p.properties);
      });
    w.raw(p.payload);
  });
}

namespace {
const UserPropertyStrings kNoUserProperties;
const UserPropertyStrings& pairs_of(const UserPropertyStrings* p) noexcept {
  return p != nullptr ? *p : kNoUserProperties;
}
}  // namespace

Result<std::size_t> write_ack(Version v, PacketType type, std::uint16_t packet_id,
                              std::uint8_t code, std::span<std::byte> out,
                              const UserPropertyStrings* user_properties) noexcept {
  const auto& users = pairs_of(user_properties);
  if (packet_id == 0 || (is_v5(v) && !io::valid_message_properties({}, {}, {}, users)))
    return make_error(std::errc::invalid_argument);
  const auto first = static_cast<std::uint8_t>(static_cast<unsigned>(type) << 4 |
                                               (type == PacketType::pubrel ? 2 : 0));
  const bool with_properties = is_v5(v) && !users.empty();
  return emit(first, out, [&](Writer& w) {
    w.u16(packet_id);
    // Success with no properties: the code is left out too.
    if (is_v5(v) && (code != 0 || with_properties)) w.u8(code);
    if (with_properties)
      property_block(w,
                     [&](Writer& p) { io::put_message_properties(p, false, {}, {}, {}, users); });
  });
}

std::size_t user_properties_size(const UserPropertyStrings* user_properties) noexcept {
  std::size_t n = 0;
  for (const auto& [name, value] : pairs_of(user_properties))
    n += 5 + name.size() + value.size();
  return n;
}

Result<std::size_t> write_subscribe(Version v, std::uint16_t packet_id,
                                    std::span<const SubscribeFilter> filters,
                                    std::uint32_t subscription_id,
                                    const UserPropertyStrings* user_properties,
                                    std::span<std::byte> out) noexcept {
  const auto& users = pairs_of(user_properties);
  if (packet_id == 0 || filters.empty() || filters.size() > kMaxSubackCodes ||
      subscription_id > kMaxSubscriptionId || !io::valid_message_properties({}, {}, {}, users))
    return make_error(std::errc::invalid_argument);
  for (const auto& f : filters)
    if (!valid_topic_filter(f.filter) || static_cast<unsigned>(f.qos) > 2 ||
        static_cast<unsigned>(f.retain_handling) > 2)
      return make_error(std::errc::invalid_argument);
  return emit(0x82, out, [&](Writer& w) {
    w.u16(packet_id);
    if (is_v5(v))
      property_block(w, [&](Writer& props) {
        if (subscription_id != 0) {
          props.u8(0x0B);
          props.varint(subscription_id);
        }
        io::put_message_properties(props, false, {}, {}, {}, users);
      });
    for (const auto& f : filters) {
      w.text(f.filter);
      auto options = static_cast<std::uint8_t>(f.qos);
      if (is_v5(v))
        options |=
            static_cast<std::uint8_t>((f.no_local ? 0x04 : 0) | (f.retain_as_published ? 0x08 : 0) |
                                      static_cast<unsigned>(f.retain_handling) << 4);
      w.u8(options);
    }
  });
}

Result<std::size_t> write_unsubscribe(Version v, std::uint16_t packet_id,
                                      std::span<const std::string_view> filters,
                                      const UserPropertyStrings* user_properties,
                                      std::span<std::byte> out) noexcept {
  const auto& users = pairs_of(user_properties);
  if (packet_id == 0 || filters.empty() || !io::valid_message_properties({}, {}, {}, users))
    return make_error(std::errc::invalid_argument);
  for (auto f : filters)
    if (!valid_topic_filter(f)) return make_error(std::errc::invalid_argument);
  return emit(0xa2, out, [&](Writer& w) {
    w.u16(packet_id);
    if (is_v5(v))
      property_block(
          w, [&](Writer& props) { io::put_message_properties(props, false, {}, {}, {}, users); });
    for (auto f : filters)
      w.text(f);
  });
}

Result<std::size_t> write_auth(std::uint8_t code, std::string_view method,
                               std::span<const std::byte> data, std::span<std::byte> out) noexcept {
  if (method.empty() || !fits_u16(method.size()) || !valid_utf8(method) || !fits_u16(data.size()))
    return make_error(std::errc::invalid_argument);
  return emit(0xf0, out, [&](Writer& w) {
    w.u8(code);
    property_block(w, [&](Writer& props) {
      props.u8(0x15);
      props.text(method);
      if (!data.empty()) {
        props.u8(0x16);
        props.u16(static_cast<std::uint16_t>(data.size()));
        props.raw(data);
      }
    });
  });
}

Result<std::size_t> write_pingreq(std::span<std::byte> out) noexcept {
  return emit(0xc0, out, [](Writer&) {});
}

Result<std::size_t> write_disconnect(Version v, std::uint8_t code,
                                     const UserPropertyStrings* user_properties,
                                     std::span<std::byte> out) noexcept {
  const auto& users = pairs_of(user_properties);
  if (!io::valid_message_properties({}, {}, {}, users))
    return make_error(std::errc::invalid_argument);
  return emit(0xe0, out, [&](Writer& w) {
    if (!is_v5(v)) return;
    if (users.empty()) {
      if (code != 0) w.u8(code);  // success with no properties: nothing at all
      return;
    }
    w.u8(code);
    property_block(
        w, [&](Writer& props) { io::put_message_properties(props, false, {}, {}, {}, users); });
  });
}

}  // namespace sockkit::mqtt::codec
