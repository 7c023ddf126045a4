// SPDX-License-Identifier: MIT
// The MQTT codec byte by byte: packets as the standard writes them, and every
// way a broker's bytes can be wrong.
#include <array>
#include <vector>

#include "mqtt/codec.hpp"
#include "mqtt/outbox.hpp"
#include "support/fixture.hpp"
#include "support/mqtt_versions.hpp"

namespace sockkit::test {
namespace {

using namespace mqtt;
using codec::PacketType;

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values)
    out.push_back(std::byte(v));
  return out;
}

std::vector<std::byte> written(const Result<std::size_t>& n, const std::array<std::byte, 256>& b) {
  EXPECT_TRUE(n.has_value());
  return n ? std::vector<std::byte>(b.begin(), b.begin() + static_cast<long>(*n))
           : std::vector<std::byte>{};
}

/// Frames `packet` and reads it with `read`.
template <class Read>
auto read(const std::vector<std::byte>& packet, Read read_fn) {
  codec::FixedHeader h;
  EXPECT_EQ(codec::frame(packet, 1 << 20, h), codec::Frame::complete);
  return read_fn(h, std::span(packet).subspan(h.header_size));
}

TEST(MqttCodec, ConnectIsWrittenAsTheStandardSays) {
  std::array<std::byte, 256> out{};
  const Will will{.topic = "w", .payload = "bye", .qos = QoS::at_least_once, .retain = true};
  codec::Connect c{.version = Version::v3_1_1,
                   .client_id = "id",
                   .clean = true,
                   .keepalive_s = 60,
                   .user_name = "u",
                   .password = "p",
                   .will = &will};
  EXPECT_EQ(written(codec::write_connect(c, out), out),
            bytes({0x10, 28, 0, 4,   'M', 'Q', 'T', 'T', 4,   0xee, 0, 60,  0, 2, 'i',
                   'd',  0,  1, 'w', 0,   3,   'b', 'y', 'e', 0,    1, 'u', 0, 1, 'p'}));
}

TEST(MqttCodec, Connect5CarriesItsProperties) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  std::array<std::byte, 256> out{};
  // MQTT 5: level 5, a property block (session expiry 300, receive maximum 10).
  codec::Connect c5{.version = Version::v5,
                    .client_id = "id",
                    .clean = false,
                    .keepalive_s = 30,
                    .session_expiry = 300,
                    .receive_maximum = 10};
  EXPECT_EQ(written(codec::write_connect(c5, out), out),
            bytes({0x10, 23, 0, 4, 'M', 'Q',  'T', 'T', 5, 0x00, 0,   30, 8,
                   0x11, 0,  0, 1, 44,  0x21, 0,   10,  0, 2,    'i', 'd'}));
}

TEST(MqttCodec, PublishRoundTripsAtEveryQos) {
  std::array<std::byte, 256> out{};
  const std::string payload = "42.1 kWh";
  for (auto v : {Version::v3_1_1, Version::v5}) {
    for (auto q : {QoS::at_most_once, QoS::at_least_once, QoS::exactly_once}) {
      const codec::Publish p{
          .topic = "meters/17",
          .payload = std::as_bytes(std::span(payload)),
          .qos = q,
          .retain = true,
          .dup = q != QoS::at_most_once,
          .packet_id = static_cast<std::uint16_t>(q == QoS::at_most_once ? 0 : 513)};
      auto n = codec::write_publish(v, p, out);
      ASSERT_OK(n);
      EXPECT_EQ(*n, codec::publish_size(v, p));
      auto packet = written(n, out);
      auto back = read(packet, [&](auto& h, auto body) { return codec::read_publish(v, h, body); });
      ASSERT_OK(back);
      EXPECT_EQ(back->topic, "meters/17");
      EXPECT_EQ(back->qos, q);
      EXPECT_TRUE(back->retain);
      EXPECT_EQ(back->dup, p.dup);
      EXPECT_EQ(back->packet_id, p.packet_id);
      EXPECT_EQ(
          std::string(reinterpret_cast<const char*>(back->payload.data()), back->payload.size()),
          payload);
    }
  }
}

TEST(MqttCodec, RemainingLengthUsesUpToFourBytes) {
  std::vector<std::byte> big(20000);
  const codec::Publish p{.topic = "t", .payload = big};
  std::vector<std::byte> out(codec::publish_size(Version::v3_1_1, p));
  auto n = codec::write_publish(Version::v3_1_1, p, out);
  ASSERT_OK(n);
  codec::FixedHeader h;
  ASSERT_EQ(codec::frame(out, 1 << 20, h), codec::Frame::complete);
  EXPECT_EQ(h.header_size, 4);  // 20003 needs three length bytes
  EXPECT_EQ(h.remaining, 20003u);
  EXPECT_EQ(codec::frame(std::span(out).first(100), 1 << 20, h), codec::Frame::need_more);
  EXPECT_EQ(codec::frame(out, 1000, h), codec::Frame::too_large);
  // Five length bytes are not MQTT; a short buffer is "more", never a read past it.
  EXPECT_EQ(codec::frame(bytes({0x30, 0xff, 0xff, 0xff, 0xff, 0x01}), 1u << 31, h),
            codec::Frame::malformed);
  EXPECT_EQ(codec::frame(bytes({0x30, 0xff}), 1 << 20, h), codec::Frame::need_more);
  EXPECT_EQ(codec::frame(bytes({0x00, 0x00}), 1 << 20, h), codec::Frame::malformed);
}

TEST(MqttCodec, WriterRefusesWhatTheProtocolForbids) {
  std::array<std::byte, 256> out{};
  EXPECT_ERRC(codec::write_publish(Version::v5, {.topic = "a/+"}, out), errc::invalid_argument);
  EXPECT_ERRC(codec::write_publish(Version::v5, {.topic = ""}, out), errc::invalid_argument);
  EXPECT_ERRC(codec::write_publish(Version::v5, {.topic = "a", .qos = QoS::at_least_once}, out),
              errc::invalid_argument);  // QoS 1 needs a packet id
  std::vector<std::byte> big(300);
  EXPECT_ERRC(codec::write_publish(Version::v5, {.topic = "a", .payload = big}, out),
              errc::limit_exceeded);
  const codec::SubscribeFilter bad[] = {{.filter = "a/#/b"}};
  EXPECT_ERRC(codec::write_subscribe(Version::v5, 1, bad, 0, nullptr, out), errc::invalid_argument);
}

TEST(MqttCodec, Mqtt31SaysMQIsdpAndKnowsNoSessionFlagNorSubackFailure) {
  std::array<std::byte, 256> out{};
  const codec::Connect c{.version = Version::v3_1, .client_id = "id", .keepalive_s = 60};
  EXPECT_EQ(written(codec::write_connect(c, out), out),
            bytes({0x10, 16, 0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3, 0x02, 0, 60, 0, 2, 'i', 'd'}));
  // CONNACK's first byte is reserved in 3.1: whatever it holds, no session is reported.
  auto connack = read(bytes({0x20, 2, 1, 0}),
                      [](auto& h, auto b) { return codec::read_connack(Version::v3_1, h, b); });
  ASSERT_OK(connack);
  EXPECT_FALSE(connack->session_present);
  auto suback = [](Version v) {
    return read(bytes({0x90, 4, 0, 1, 1, 0x80}),
                [v](auto& h, auto b) { return codec::read_suback(v, h, b); });
  };
  EXPECT_ERRC(suback(Version::v3_1), errc::protocol_error);  // 0x80 is 3.1.1's
  EXPECT_OK(suback(Version::v3_1_1));
}

TEST(MqttCodec, ConnackCodesOf311MapOntoReasons) {
  for (auto [code, want] : {std::pair{4, 0x86}, {5, 0x87}, {3, 0x88}, {1, 0x84}, {0, 0}}) {
    auto c = read(bytes({0x20, 2, 0, code}),
                  [](auto& h, auto body) { return codec::read_connack(Version::v3_1_1, h, body); });
    ASSERT_OK(c);
    EXPECT_EQ(c->code, want);
  }
  EXPECT_ERRC(read(bytes({0x20, 2, 0, 6}),
                   [](auto& h, auto b) { return codec::read_connack(Version::v3_1_1, h, b); }),
              errc::protocol_error);
  // Session present with a refusal is a protocol error; reserved flag bits malformed.
  EXPECT_ERRC(read(bytes({0x20, 2, 1, 4}),
                   [](auto& h, auto b) { return codec::read_connack(Version::v3_1_1, h, b); }),
              errc::protocol_error);
  EXPECT_ERRC(read(bytes({0x20, 2, 2, 0}),
                   [](auto& h, auto b) { return codec::read_connack(Version::v3_1_1, h, b); }),
              errc::protocol_error);
}

TEST(MqttCodec, Connack5PropertiesAreRead) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  const auto packet = bytes(
      {0x20, 19, 1, 0, 16, 0x21, 0, 5, 0x22, 0, 7, 0x24, 1, 0x12, 0, 3, 'a', 'b', 'c', 0x25, 0});
  // The views of the answer point into `packet`: it must outlive them.
  auto c = read(packet, [](auto& h, auto b) { return codec::read_connack(Version::v5, h, b); });
  ASSERT_OK(c);
  EXPECT_TRUE(c->session_present);
  EXPECT_EQ(c->properties.receive_maximum, 5);
  EXPECT_EQ(c->properties.topic_alias_maximum, 7);
  EXPECT_EQ(c->properties.maximum_qos, 1);
  EXPECT_EQ(c->properties.assigned_client_id, "abc");
  EXPECT_EQ(c->properties.retain_available, false);
}

TEST(MqttCodec, BadPropertiesAreRejected) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  auto connack = [](std::initializer_list<int> props) {
    std::vector<std::byte> p = bytes({0x20, 0, 0, 0, static_cast<int>(props.size())});
    for (int b : props)
      p.push_back(std::byte(b));
    p[1] = std::byte(p.size() - 2);
    return read(p, [](auto& h, auto b) { return codec::read_connack(Version::v5, h, b); });
  };
  EXPECT_ERRC(connack({0x21, 0, 0}), errc::protocol_error);              // receive maximum 0
  EXPECT_ERRC(connack({0x21, 0, 1, 0x21, 0, 2}), errc::protocol_error);  // twice
  EXPECT_ERRC(connack({0x24, 2}), errc::protocol_error);                 // maximum QoS 2
  EXPECT_ERRC(connack({0x7f, 0}), errc::protocol_error);                 // unknown property
  EXPECT_ERRC(connack({0x1f, 0, 5, 'a'}), errc::protocol_error);         // string past the block
  EXPECT_ERRC(connack({0x1f, 0, 2, 0xc3, 0x28}), errc::protocol_error);  // not UTF-8
  EXPECT_OK(connack({0x26, 0, 1, 'k', 0, 1, 'v', 0x26, 0, 1, 'k', 0, 1, 'w'}));  // user props
}

TEST(MqttCodec, IncomingPublishIsChecked) {
  auto publish = [](Version v, std::initializer_list<int> packet) {
    return read(bytes(packet), [v](auto& h, auto b) { return codec::read_publish(v, h, b); });
  };
  EXPECT_OK(publish(Version::v3_1_1, {0x30, 4, 0, 1, 't', 'x'}));
  EXPECT_ERRC(publish(Version::v3_1_1, {0x36, 4, 0, 1, 't', 'x'}), errc::protocol_error);  // QoS 3
  EXPECT_ERRC(publish(Version::v3_1_1, {0x38, 4, 0, 1, 't', 'x'}),
              errc::protocol_error);  // DUP at QoS 0
  EXPECT_ERRC(publish(Version::v3_1_1, {0x32, 5, 0, 1, 't', 0, 0}),
              errc::protocol_error);  // packet id 0
  EXPECT_ERRC(publish(Version::v3_1_1, {0x30, 4, 0, 1, '#', 'x'}),
              errc::protocol_error);  // a wildcard in a topic name
  EXPECT_ERRC(publish(Version::v3_1_1, {0x30, 4, 0, 9, 't', 'x'}),
              errc::protocol_error);  // topic past the packet
  EXPECT_ERRC(publish(Version::v3_1_1, {0x30, 4, 0, 1, 0, 'x'}),
              errc::protocol_error);  // U+0000 in the topic
}

TEST(MqttCodec, IncomingPublish5NamesItsTopicOrAnAlias) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  auto publish = [](std::initializer_list<int> packet) {
    return read(bytes(packet),
                [](auto& h, auto b) { return codec::read_publish(Version::v5, h, b); });
  };
  EXPECT_ERRC(publish({0x30, 3, 0, 0, 0}), errc::protocol_error);  // no topic, no alias
  auto aliased = publish({0x30, 7, 0, 0, 3, 0x23, 0, 4, 'x'});
  ASSERT_OK(aliased);
  EXPECT_EQ(aliased->topic_alias, 4);
}

TEST(MqttCodec, Ack5CarriesItsReasonCode) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  const auto packet = bytes({0x50, 3, 0x12, 0x34, 0x10});
  auto a = read(packet, [](auto& h, auto b) { return codec::read_ack(Version::v5, h, b); });
  ASSERT_OK(a);
  EXPECT_EQ(a->packet_id, 0x1234);
  EXPECT_EQ(a->code, 0x10);
}

TEST(MqttCodec, AcksAndSubacks) {
  auto ack = [](Version v, std::initializer_list<int> packet) {
    return read(bytes(packet), [v](auto& h, auto b) { return codec::read_ack(v, h, b); });
  };
  EXPECT_ERRC(ack(Version::v3_1_1, {0x62, 2, 0, 0}), errc::protocol_error);     // id 0
  EXPECT_ERRC(ack(Version::v3_1_1, {0x60, 2, 0, 1}), errc::protocol_error);     // PUBREL flags
  EXPECT_ERRC(ack(Version::v3_1_1, {0x40, 3, 0, 1, 0}), errc::protocol_error);  // extra byte
  const auto suback = bytes({0x90, 4, 0, 7, 1, 0x80});
  auto s = read(suback, [](auto& h, auto b) { return codec::read_suback(Version::v3_1_1, h, b); });
  ASSERT_OK(s);
  EXPECT_EQ(s->packet_id, 7);
  EXPECT_EQ(s->codes.size(), 2u);
  EXPECT_ERRC(read(bytes({0x90, 3, 0, 7, 3}),
                   [](auto& h, auto b) { return codec::read_suback(Version::v3_1_1, h, b); }),
              errc::protocol_error);
}

TEST(MqttCodec, TopicNamesFiltersAndMatching) {
  EXPECT_TRUE(codec::valid_topic_filter("a/+/c"));
  EXPECT_TRUE(codec::valid_topic_filter("#"));
  EXPECT_TRUE(codec::valid_topic_filter("a/#"));
  EXPECT_FALSE(codec::valid_topic_filter("a/#/c"));
  EXPECT_FALSE(codec::valid_topic_filter("a+/c"));
  EXPECT_FALSE(codec::valid_topic_filter(""));
  EXPECT_TRUE(topic_matches("a/+/c", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/+/c", "a/b/d"));
  EXPECT_TRUE(topic_matches("a/#", "a"));
  EXPECT_TRUE(topic_matches("a/#", "a/b/c"));
  EXPECT_TRUE(topic_matches("+/+", "/x"));
  EXPECT_FALSE(topic_matches("#", "$SYS/broker"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/broker"));
  EXPECT_FALSE(topic_matches("a/b", "a/b/c"));
  EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
  EXPECT_TRUE(codec::valid_utf8("caf\xc3\xa9"));
  EXPECT_FALSE(codec::valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(codec::valid_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(codec::valid_utf8(std::string_view("a\0b", 3)));
}

TEST(MqttCodec, ReasonsArePortableConditions) {
  EXPECT_EQ(make_error_code(reason::bad_user_name_or_password), errc::permission_denied);
  EXPECT_EQ(make_error_code(reason::ping_timeout), errc::timed_out);
  EXPECT_EQ(make_error_code(reason::packet_too_large), errc::message_too_large);
  EXPECT_EQ(make_error_code(reason::malformed_packet), errc::protocol_error);
  EXPECT_EQ(classify(make_error_code(reason::server_unavailable)), errc::connection_refused);
  // Its text, or where the build leaves texts out (SOCKKIT_ERROR_STRINGS=OFF) its number.
  const std::string text = make_error_code(reason::not_authorized).message();
  EXPECT_TRUE(text.find("not authorized") != std::string::npos ||
              text.find("reason code 135") != std::string::npos)
      << text;
}

TEST(MqttCodec, StoreRecordsRoundTripAndForeignBytesAreRefused) {
  mqtt::detail::Pending p;
  p.topic = "a/b";
  p.payload = bytes({1, 2, 3});
  p.qos = QoS::exactly_once;
  p.stage = mqtt::detail::Pending::Stage::released;
  p.packet_id = 77;
  auto back = mqtt::detail::decode_record(5, mqtt::detail::encode_record(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, 5u);
  EXPECT_EQ(back->topic, "a/b");
  EXPECT_EQ(back->payload, p.payload);
  EXPECT_EQ(back->packet_id, 77);
  EXPECT_EQ(back->stage, mqtt::detail::Pending::Stage::released);
  auto record = mqtt::detail::encode_record(p);
  record.resize(9);  // cut inside the topic
  EXPECT_FALSE(mqtt::detail::decode_record(5, record));
  EXPECT_FALSE(mqtt::detail::decode_record(5, bytes({9, 1, 0, 0, 0, 0, 0, 1, 'x'})));
}

}  // namespace
}  // namespace sockkit::test
