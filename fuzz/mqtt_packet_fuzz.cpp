// SPDX-License-Identifier: MIT
// The MQTT packet reader on any bytes, as a broker might send them: the first
// byte picks the protocol version (3.1.1, 5 or 3.1), the rest is framed
// packet by packet and each packet goes to its reader. Never crashes, never
// reads outside the input, and what it accepts is self-consistent, down to
// each MQTT 5 property. Store records (the FileStore's files) are read from
// the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "mqtt/codec.hpp"
#include "mqtt/outbox.hpp"

namespace {

using namespace sockkit::mqtt;

bool inside(std::span<const std::byte> view, std::span<const std::byte> whole) {
  return view.empty() ||
         (view.data() >= whole.data() && view.data() + view.size() <= whole.data() + whole.size());
}

void check(bool ok) {
  if (!ok) std::abort();
}

/// Every property an accepted PUBLISH shows lies inside its body, and the
/// repeated ones walk the block to its end without leaving it.
void check_properties(const codec::Properties& props, std::span<const std::byte> body) {
  check(inside(props.block, body));
  Message m;
  codec::fill_message_properties(props, m);
  check(inside(m.correlation_data, body));
  check(codec::valid_utf8(m.content_type) && codec::valid_utf8(m.response_topic));
  std::size_t users = 0;
  for (const auto& [name, value] : m.user_properties) {
    check(codec::valid_utf8(name) && codec::valid_utf8(value));
    check(inside(std::as_bytes(std::span(value.data(), value.size())), props.block));
    ++users;
  }
  check(users <= props.block.size() / 5);  // a user property takes 5 bytes at least
  for (std::uint32_t id : m.subscription_ids)
    check(id >= 1 && id <= codec::kMaxSubscriptionId);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Version v = data[0] % 3 == 1   ? Version::v5
                    : data[0] % 3 == 2 ? Version::v3_1
                                       : Version::v3_1_1;
  auto in = std::as_bytes(std::span(data + 1, size - 1));
  (void)detail::decode_record(1, in);
  std::size_t at = 0;
  for (int packets = 0; packets < 64; ++packets) {
    codec::FixedHeader h;
    if (codec::frame(in.subspan(at), 1 << 16, h) != codec::Frame::complete) break;
    const auto body = in.subspan(at + h.header_size, h.remaining);
    at += h.total();
    switch (h.type) {
      case codec::PacketType::connack:
        if (auto c = codec::read_connack(v, h, body)) {
          check(c->code == 0 || !c->session_present);
          if (c->properties.assigned_client_id)
            check(codec::valid_utf8(*c->properties.assigned_client_id));
        }
        break;
      case codec::PacketType::publish: {
        codec::Properties props;
        if (auto p = codec::read_publish(v, h, body, &props)) {
          check(inside(p->payload, body));
          check(p->topic.empty() ? p->topic_alias != 0 : codec::valid_utf8(p->topic));
          check(p->topic.find_first_of("+#") == std::string_view::npos);
          check((p->qos == QoS::at_most_once) == (p->packet_id == 0));
          check_properties(props, body);
        }
        break;
      }
      case codec::PacketType::suback:
        if (auto s = codec::read_suback(v, h, body)) check(inside(s->codes, body));
        break;
      case codec::PacketType::disconnect: {
        codec::Properties props;
        if (codec::read_disconnect(v, h, body, &props)) check(inside(props.block, body));
        break;
      }
      case codec::PacketType::auth: {
        codec::Properties props;
        if (auto a = codec::read_auth(v, h, body, &props)) {
          check(a->code == 0x00 || a->code == 0x18 || a->code == 0x19);
          if (props.authentication_data) check(inside(*props.authentication_data, body));
        }
        break;
      }
      default:
        if (auto a = codec::read_ack(v, h, body)) check(a->packet_id != 0);
        break;
    }
  }
  return 0;
}
