// SPDX-License-Identifier: MIT
// MQTT 5 properties byte by byte: a publication's written and read back, the
// repeated ones walked in place, the subscription options and identifier, a
// will's properties in CONNECT, and every way a broker's properties can be
// wrong for the packet that carries them.
#include <array>
#include <vector>

#include "mqtt/codec.hpp"
#include "mqtt/outbox.hpp"
#include "support/fixture.hpp"
#include "support/mqtt_versions.hpp"

namespace sockkit::test {
namespace {

using namespace mqtt;
using namespace std::chrono_literals;

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values)
    out.push_back(std::byte(v));
  return out;
}

std::span<const std::byte> as_bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// A PUBLISH at QoS 0 to "t" with this property block and payload "x".
std::vector<std::byte> publish_with(std::initializer_list<int> properties) {
  auto p = bytes({0x30, 0, 0, 1, 't', static_cast<int>(properties.size())});
  for (int b : properties)
    p.push_back(std::byte(b));
  p.push_back(std::byte{'x'});
  p[1] = std::byte(p.size() - 2);
  return p;
}

Result<codec::Publish> read_publish(const std::vector<std::byte>& packet,
                                    codec::Properties& properties) {
  codec::FixedHeader h;
  EXPECT_EQ(codec::frame(packet, 1 << 20, h), codec::Frame::complete);
  return codec::read_publish(Version::v5, h, std::span(packet).subspan(h.header_size), &properties);
}

TEST(MqttProperties, APublicationsPropertiesRoundTrip) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  const UserProperty tags[] = {{"unit", "kWh"}, {"meter", "17"}, {"unit", "again"}};
  const std::string correlation("\x00\x01\xff", 3);
  const PublishProperties asked{.payload_utf8 = true,
                                .content_type = "text/plain",
                                .response_topic = "meters/17/answer",
                                .correlation_data = as_bytes(correlation),
                                .user_properties = tags};
  auto size = codec::publish_properties_size(asked);
  ASSERT_OK(size);
  std::vector<std::byte> block(*size);
  codec::write_publish_properties(asked, block);
  const codec::Publish p{.topic = "meters/17",
                         .payload = as_bytes("42.1"),
                         .qos = QoS::at_least_once,
                         .packet_id = 9,
                         .topic_alias = 3,
                         .message_expiry = 60,
                         .properties = block};
  std::vector<std::byte> packet(codec::publish_size(Version::v5, p));
  auto n = codec::write_publish(Version::v5, p, packet);
  ASSERT_OK(n);
  EXPECT_EQ(*n, packet.size()) << "publish_size counts the properties";

  codec::Properties got;
  auto back = read_publish(packet, got);
  ASSERT_OK(back);
  EXPECT_EQ(back->topic_alias, 3);
  Message m{.topic = back->topic, .payload = back->payload};
  codec::fill_message_properties(got, m);
  EXPECT_EQ(m.text(), "42.1");
  EXPECT_EQ(m.expiry, 60s);
  EXPECT_TRUE(m.payload_utf8);
  EXPECT_EQ(m.content_type, "text/plain");
  EXPECT_EQ(m.response_topic, "meters/17/answer");
  EXPECT_TRUE(std::equal(m.correlation_data.begin(), m.correlation_data.end(),
                         as_bytes(correlation).begin(), as_bytes(correlation).end()));
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& [name, value] : m.user_properties)
    seen.emplace_back(name, value);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"unit", "kWh"}, {"meter", "17"}, {"unit", "again"}}))
      << "all of them, repeated names too, in order";
  EXPECT_EQ(m.user_properties.size(), 3u);
  EXPECT_TRUE(m.subscription_ids.empty());
}

TEST(MqttProperties, SubscriptionIdentifiersAreWalkedInPlace) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  // Two identifiers (7, and 300 in two bytes) around a user property.
  const auto packet = publish_with({0x0B, 7, 0x26, 0, 1, 'k', 0, 1, 'v', 0x0B, 0xAC, 0x02});
  codec::Properties got;
  ASSERT_OK(read_publish(packet, got));
  Message m;
  codec::fill_message_properties(got, m);
  std::vector<std::uint32_t> ids(m.subscription_ids.begin(), m.subscription_ids.end());
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{7, 300}));
  ASSERT_EQ(m.user_properties.size(), 1u);
  EXPECT_EQ((*m.user_properties.begin()).name, "k");
  EXPECT_FALSE(m.expiry);
  EXPECT_FALSE(m.payload_utf8);
}

TEST(MqttProperties, APropertyThePacketMayNotCarryOrAValueOutOfRangeIsRefused) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  codec::Properties got;
  auto refused = [&](std::initializer_list<int> properties) {
    got = {};
    auto r = read_publish(publish_with(properties), got);
    return r ? std::error_code{} : r.error();
  };
  // Not a PUBLISH property: malformed (0x81), as the standard names it.
  EXPECT_EQ(refused({0x11, 0, 0, 0, 1}), make_error_code(reason::malformed_packet));
  EXPECT_EQ(refused({0x21, 0, 1}), make_error_code(reason::malformed_packet));
  EXPECT_EQ(refused({0x8B, 0x00}), make_error_code(reason::malformed_packet))
      << "an identifier in two bytes";
  // A PUBLISH property with a value it may not have: a protocol error (0x82).
  EXPECT_EQ(refused({0x01, 2}), make_error_code(reason::protocol_error));          // format 2
  EXPECT_EQ(refused({0x0B, 0}), make_error_code(reason::protocol_error));          // identifier 0
  EXPECT_EQ(refused({0x08, 0, 1, '#'}), make_error_code(reason::protocol_error));  // wildcard
  EXPECT_EQ(refused({0x03, 0, 1, 'a', 0x03, 0, 1, 'b'}), make_error_code(reason::protocol_error))
      << "content type twice";
  EXPECT_EQ(refused({0x09, 0, 4, 1}), make_error_code(reason::malformed_packet))
      << "correlation data past the block";
  EXPECT_FALSE(refused({0x02, 0, 0, 0, 5, 0x01, 1, 0x09, 0, 0}));
  EXPECT_EQ(got.message_expiry, 5u);

  // CONNACK may not carry a subscription identifier; an ack may carry a reason string.
  auto connack = bytes({0x20, 5, 0, 0, 2, 0x0B, 1});
  codec::FixedHeader h;
  ASSERT_EQ(codec::frame(connack, 1 << 20, h), codec::Frame::complete);
  EXPECT_ERRC(codec::read_connack(Version::v5, h, std::span(connack).subspan(2)),
              errc::protocol_error);
  auto puback = bytes({0x40, 8, 0, 1, 0x10, 4, 0x1F, 0, 1, 'n'});
  ASSERT_EQ(codec::frame(puback, 1 << 20, h), codec::Frame::complete);
  EXPECT_OK(codec::read_ack(Version::v5, h, std::span(puback).subspan(2)));
  auto bad_puback = bytes({0x40, 7, 0, 1, 0x10, 3, 0x23, 0, 1});  // a topic alias in PUBACK
  ASSERT_EQ(codec::frame(bad_puback, 1 << 20, h), codec::Frame::complete);
  EXPECT_ERRC(codec::read_ack(Version::v5, h, std::span(bad_puback).subspan(2)),
              errc::protocol_error);
}

TEST(MqttProperties, WhatCannotBeWrittenIsRefusedBeforeItIsQueued) {
  const UserProperty not_utf8[] = {{"k", "\xc3\x28"}};
  EXPECT_ERRC(codec::publish_properties_size({.user_properties = not_utf8}),
              errc::invalid_argument);
  EXPECT_ERRC(codec::publish_properties_size({.response_topic = "a/#"}), errc::invalid_argument);
  const std::vector<std::byte> huge(70'000);
  EXPECT_ERRC(codec::publish_properties_size({.correlation_data = huge}), errc::invalid_argument);
  EXPECT_EQ(codec::publish_properties_size({}).value_or(99), 0u);
  EXPECT_EQ(codec::publish_properties_size({.expiry = 5s}).value_or(99), 0u)
      << "the expiry is written with the PUBLISH, as it counts down";
}

TEST(MqttProperties, SubscriptionOptionsAndIdentifierAreWrittenAsTheStandardSays) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  const codec::SubscribeFilter filters[] = {
      {.filter = "a", .qos = QoS::at_least_once, .no_local = true},
      {.filter = "b",
       .qos = QoS::exactly_once,
       .retain_as_published = true,
       .retain_handling = RetainHandling::never}};
  std::array<std::byte, 64> out{};
  auto n = codec::write_subscribe(Version::v5, 5, filters, 300, nullptr, out);
  ASSERT_OK(n);
  EXPECT_EQ(std::vector<std::byte>(out.begin(), out.begin() + static_cast<long>(*n)),
            bytes({0x82, 14, 0, 5, 3, 0x0B, 0xAC, 0x02, 0, 1, 'a', 0x05, 0, 1, 'b', 0x2A}));
  EXPECT_ERRC(
      codec::write_subscribe(Version::v5, 5, filters, codec::kMaxSubscriptionId + 1, nullptr, out),
      errc::invalid_argument);
}

TEST(MqttProperties, AWillsPropertiesAndConnectsUserPropertiesAreWritten) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  const Will will{.topic = "w",
                  .payload = "b",
                  .delay = 30s,
                  .payload_utf8 = true,
                  .user_properties = {{"k", "v"}}};
  const UserPropertyStrings mine = {{"site", "7"}};
  const codec::Connect c{
      .version = Version::v5, .client_id = "i", .will = &will, .user_properties = &mine};
  std::array<std::byte, 128> out{};
  auto n = codec::write_connect(c, out);
  ASSERT_OK(n);
  EXPECT_EQ(std::vector<std::byte>(out.begin(), out.begin() + static_cast<long>(*n)),
            bytes({0x10, 45, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x06, 0, 60,
                   // CONNECT's properties: one user property
                   10, 0x26, 0, 4, 's', 'i', 't', 'e', 0, 1, '7',
                   // client id, then the will's properties: delay 30, UTF-8, a user property
                   0, 1, 'i', 14, 0x18, 0, 0, 0, 30, 0x01, 1, 0x26, 0, 1, 'k', 0, 1, 'v',
                   // will topic and payload
                   0, 1, 'w', 0, 1, 'b'}));
}

TEST(MqttProperties, StoredRecordsKeepPropertiesAndOlderRecordsStillRead) {
  mqtt::detail::Pending p;
  p.topic = "a";
  p.payload = bytes({'x'});
  p.properties = bytes({0x26, 0, 1, 'k', 0, 1, 'v'});
  p.expiry_s = 90;
  p.qos = QoS::at_least_once;
  auto back = mqtt::detail::decode_record(3, mqtt::detail::encode_record(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->properties, p.properties);
  EXPECT_EQ(back->expiry_s, 90u);
  EXPECT_EQ(back->payload, p.payload);
  // A record written before properties were kept (format 1) reads as one without them.
  auto old = mqtt::detail::decode_record(4, bytes({1, 1, 0, 0, 0, 0, 0, 1, 'a', 'x', 'y'}));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->topic, "a");
  EXPECT_EQ(old->payload, bytes({'x', 'y'}));
  EXPECT_TRUE(old->properties.empty());
  auto record = mqtt::detail::encode_record(p);
  record[15] = std::byte{200};  // properties longer than the record
  EXPECT_FALSE(mqtt::detail::decode_record(3, record));
}

}  // namespace
}  // namespace sockkit::test

namespace sockkit::test {
namespace {

TEST(MqttProperties, UserPropertiesGoInSubscribeUnsubscribeAndDisconnect) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  const UserPropertyStrings tag = {{"k", "v"}};
  std::array<std::byte, 64> out{};
  auto written = [&](const Result<std::size_t>& n) {
    EXPECT_TRUE(n.has_value());
    return std::vector<std::byte>(out.begin(), out.begin() + static_cast<long>(n.value_or(0)));
  };
  const mqtt::codec::SubscribeFilter one[] = {{.filter = "a", .qos = QoS::at_most_once}};
  EXPECT_EQ(written(mqtt::codec::write_subscribe(Version::v5, 2, one, 0, &tag, out)),
            bytes({0x82, 14, 0, 2, 7, 0x26, 0, 1, 'k', 0, 1, 'v', 0, 1, 'a', 0}));
  const std::string_view filter[] = {"a"};
  EXPECT_EQ(written(mqtt::codec::write_unsubscribe(Version::v5, 3, filter, &tag, out)),
            bytes({0xA2, 13, 0, 3, 7, 0x26, 0, 1, 'k', 0, 1, 'v', 0, 1, 'a'}));
  EXPECT_EQ(written(mqtt::codec::write_disconnect(Version::v5, 0, &tag, out)),
            bytes({0xE0, 9, 0, 7, 0x26, 0, 1, 'k', 0, 1, 'v'}));
  EXPECT_EQ(written(mqtt::codec::write_disconnect(Version::v5, 0, nullptr, out)), bytes({0xE0, 0}));
  const UserPropertyStrings bad = {{"k", "\xc3\x28"}};
  EXPECT_ERRC(mqtt::codec::write_disconnect(Version::v5, 0, &bad, out), errc::invalid_argument);
}

}  // namespace
}  // namespace sockkit::test
