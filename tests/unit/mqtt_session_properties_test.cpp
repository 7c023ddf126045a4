// SPDX-License-Identifier: MIT
// MQTT 5 properties in the session, with a fake clock: a message's expiry
// counts down in the outbox and a message that outlives it is given up, the
// broker's packet limit counts properties, a payload marked UTF-8 that is not
// is refused, received properties reach the Message, and subscriptions with
// different identifiers go out in separate SUBSCRIBEs, and what a broker adds
// to its answers becomes a reply.
#include "mqtt_session_fixture.hpp"

namespace sockkit::mqtt {
namespace {
using namespace session_test;

/// Connects at `at` after t0 (an MQTT 5 CONNACK with `properties`).
void up_at(Fixture& f, std::chrono::milliseconds at, std::vector<std::byte> properties = {}) {
  ASSERT_TRUE(f.s->connected(f.t0 + at));
  (void)f.written();
  auto connack = bytes(
      {0x20, static_cast<int>(3 + properties.size()), 0, 0, static_cast<int>(properties.size())});
  connack.insert(connack.end(), properties.begin(), properties.end());
  ASSERT_TRUE(f.feed(connack, at));
  (void)f.take();
}

TEST(MqttSessionProperties, AnExpiryCountsDownInTheOutboxAndAnExpiredMessageIsGivenUp) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  auto lasting = s.publish("m/a", text("x"), QoS::at_least_once, false, {.expiry = 10s}, f.t0);
  auto brief = s.publish("m/b", text("y"), QoS::at_least_once, false, {.expiry = 2s}, f.t0);
  ASSERT_TRUE(lasting);
  ASSERT_TRUE(brief);
  up_at(f, 3500ms);  // offline for 3.5 s
  s.pump(1 << 20, f.t0 + 3500ms);
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u) << "the message whose 2 s ran out is not sent";
  EXPECT_EQ(w[0].topic, "m/a");
  EXPECT_EQ(w[0].expiry, 7u) << "10 s less the 3.5 s it waited, rounded up";
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::published);
  EXPECT_EQ(e[0].id, *brief);
  EXPECT_EQ(e[0].result, make_error_code(failure::message_expired));
  EXPECT_EQ(e[0].result, errc::timed_out);
  EXPECT_EQ(s.stats().expired, 1u);

  // Resent after a reconnect that resumes the session: what is left, at least a second.
  s.disconnected();
  ASSERT_TRUE(s.connected(f.t0 + 30s));
  (void)f.written();
  ASSERT_TRUE(f.feed(bytes({0x20, 3, 1, 0, 0}), 30s));
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(w[0].dup);
  EXPECT_EQ(w[0].expiry, 1u) << "in flight: its exchange finishes even past its expiry";
}

TEST(MqttSessionProperties, PropertiesAndOptionsOnlyMqtt5HasAreRefusedOn311) {
  Fixture f(Version::v3_1_1);
  auto& s = f.make();
  const UserProperty tag[] = {{"k", "v"}};
  auto r = s.publish("t", text("x"), QoS::at_most_once, false, {.user_properties = tag}, f.t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::not_supported);
  r = s.publish("t", text("x"), QoS::at_most_once, false, {.expiry = 5s}, f.t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::not_supported);
  auto st = s.subscribe({{.filter = "a", .id = 4}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), errc::not_supported);
  st = s.subscribe({{.filter = "a", .retain_handling = RetainHandling::never}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), errc::not_supported);
  EXPECT_TRUE(s.publish("t", text("x"), QoS::at_most_once, false, {}, f.t0));
}

TEST(MqttSessionProperties, TheBrokersPacketLimitCountsProperties) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  up_at(f, 0ms, bytes({0x27, 0, 0, 0, 40}));  // maximum packet size 40
  const std::string long_value(30, 'v');
  const UserProperty tag[] = {{"k", long_value}};
  auto plain = s.publish("t", text("x"), QoS::at_least_once, false, {}, f.t0);
  auto tagged =
      s.publish("t", text("x"), QoS::at_least_once, false, {.user_properties = tag}, f.t0);
  ASSERT_TRUE(plain);
  ASSERT_TRUE(tagged);
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].packet.size(), 9u);
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].id, *tagged);
  EXPECT_EQ(e[0].result, make_error_code(reason::packet_too_large));
}

TEST(MqttSessionProperties, ReceivedPropertiesReachTheMessage) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  up_at(f, 0ms);
  // QoS 1, id 5, topic "in", properties: expiry 9, response topic "r", subscription id 3,
  // user property a=b; payload "hi".
  auto packet = bytes({0x32, 0, 0,   2,    'i', 'n',  0, 5, 18,  0x02, 0, 0,   0,   9,  0x08,
                       0,    1, 'r', 0x0B, 3,   0x26, 0, 1, 'a', 0,    1, 'b', 'h', 'i'});
  packet[1] = std::byte(packet.size() - 2);
  ASSERT_TRUE(f.feed(packet));
  s.take_events(f.events);
  ASSERT_EQ(f.events.events.size(), 1u);
  const Message m = f.events.message(f.events.events[0]);
  EXPECT_EQ(m.topic, "in");
  EXPECT_EQ(m.text(), "hi");
  EXPECT_EQ(m.expiry, 9s);
  EXPECT_EQ(m.response_topic, "r");
  ASSERT_EQ(m.subscription_ids.size(), 1u);
  EXPECT_EQ(*m.subscription_ids.begin(), 3u);
  ASSERT_EQ(m.user_properties.size(), 1u);
  EXPECT_EQ((*m.user_properties.begin()).value, "b");
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPuback);
}

TEST(MqttSessionProperties, APayloadMarkedUtf8ThatIsNotIsRefusedNotDelivered) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  up_at(f, 0ms);
  // QoS 1 and QoS 2, each marked UTF-8 (0x01 1) with the payload 0xC3 0x28.
  ASSERT_TRUE(f.feed(bytes({0x32, 10, 0, 1, 't', 0, 7, 2, 0x01, 1, 0xC3, 0x28})));
  ASSERT_TRUE(f.feed(bytes({0x34, 10, 0, 1, 't', 0, 8, 2, 0x01, 1, 0xC3, 0x28})));
  EXPECT_TRUE(f.take().empty());
  auto w = f.written();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].packet, bytes({0x40, 3, 0, 7, 0x99})) << "PUBACK: payload format invalid";
  EXPECT_EQ(w[1].packet, bytes({0x50, 3, 0, 8, 0x99})) << "PUBREC: payload format invalid";
  EXPECT_EQ(s.stats().refused_payloads, 2u);
  // The same marked payload in UTF-8 is delivered.
  ASSERT_TRUE(f.feed(bytes({0x30, 8, 0, 1, 't', 2, 0x01, 1, 0xC3, 0xA9})));
  EXPECT_EQ(f.take().size(), 1u);
}

TEST(MqttSessionProperties, SubscriptionsWithDifferentIdentifiersGoInSeparatePackets) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  ASSERT_TRUE(s.subscribe({{.filter = "a", .id = 1},
                           {.filter = "b", .id = 1},
                           {.filter = "c", .id = 2},
                           {.filter = "d"}}));
  up_at(f, 0ms);  // a fresh session subscribes to all of them
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 3u);
  for (const auto& p : w)
    EXPECT_EQ(p.type, kSubscribe);
  // SUBSCRIBE, id, properties {0x0B, 1}, "a" and "b".
  EXPECT_EQ(w[0].packet[4], std::byte{2});
  EXPECT_EQ(w[0].packet[6], std::byte{1});
  EXPECT_EQ(w[0].packet.size(), 2u + 2 + 3 + 4 + 4);
  EXPECT_EQ(w[1].packet[6], std::byte{2});
  EXPECT_EQ(w[2].packet[4], std::byte{0}) << "no identifier: an empty property block";
}

}  // namespace
}  // namespace sockkit::mqtt

namespace sockkit::mqtt {
namespace {
using namespace session_test;

// What a broker adds to CONNACK, PUBACK and DISCONNECT beyond its reason
// code reaches the application as a reply, just before the event the packet
// leads to; an answer that says nothing more makes none.
TEST(MqttSessionProperties, WhatABrokerAddsToItsAnswersIsAReplyBeforeTheirEvent) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  ASSERT_TRUE(s.connected(f.t0));
  (void)f.written();
  // CONNACK: response information "r/", user property k=v.
  ASSERT_TRUE(
      f.feed(bytes({0x20, 15, 0, 0, 12, 0x1A, 0, 2, 'r', '/', 0x26, 0, 1, 'k', 0, 1, 'v'})));
  s.take_events(f.events);
  ASSERT_EQ(f.events.events.size(), 2u);
  EXPECT_EQ(f.events.events[0].kind, SessionEvent::Kind::reply);
  EXPECT_EQ(f.events.events[1].kind, SessionEvent::Kind::connected);
  Reply r = f.events.reply(f.events.events[0]);
  EXPECT_EQ(r.packet, Reply::Packet::connack);
  EXPECT_EQ(r.response_information, "r/");
  ASSERT_EQ(r.user_properties.size(), 1u);
  EXPECT_EQ((*r.user_properties.begin()).value, "v");

  auto id = s.publish("t", text("x"), QoS::at_least_once, false);
  ASSERT_TRUE(id);
  s.pump(1 << 20, f.t0);
  (void)f.written();
  // PUBACK: "no matching subscribers" (0x10), reason string "none".
  ASSERT_TRUE(f.feed(bytes({0x40, 11, 0, 1, 0x10, 7, 0x1F, 0, 4, 'n', 'o', 'n', 'e'})));
  s.take_events(f.events);
  ASSERT_EQ(f.events.events.size(), 2u);
  r = f.events.reply(f.events.events[0]);
  EXPECT_EQ(r.packet, Reply::Packet::puback);
  EXPECT_EQ(r.id, *id) << "the publish() id of the message answered";
  EXPECT_EQ(r.reason_string, "none");
  EXPECT_FALSE(r.reason) << "0x10 is a success";
  EXPECT_EQ(f.events.events[1].kind, SessionEvent::Kind::published);

  // A bare PUBACK says nothing more: no reply.
  ASSERT_TRUE(s.publish("t", text("y"), QoS::at_least_once, false));
  s.pump(1 << 20, f.t0);
  (void)f.written();
  ASSERT_TRUE(f.feed(bytes({0x40, 2, 0, 2})));
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::published);

  // DISCONNECT: use another server (0x9C), server reference "b2", reason string "moving".
  auto end = f.feed(
      bytes({0xE0, 16, 0x9C, 14, 0x1C, 0, 2, 'b', '2', 0x1F, 0, 6, 'm', 'o', 'v', 'i', 'n', 'g'}));
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error(), make_error_code(reason::use_another_server));
  s.take_events(f.events);
  ASSERT_EQ(f.events.events.size(), 1u);
  r = f.events.reply(f.events.events[0]);
  EXPECT_EQ(r.packet, Reply::Packet::disconnect);
  EXPECT_EQ(r.reason, make_error_code(reason::use_another_server));
  EXPECT_EQ(r.server_reference, "b2");
  EXPECT_EQ(r.reason_string, "moving");
}

}  // namespace
}  // namespace sockkit::mqtt

namespace sockkit::mqtt {
namespace {
using namespace session_test;

// Filters with different user properties go in different SUBSCRIBEs; an
// UNSUBSCRIBE and the DISCONNECT of stop() carry theirs; MQTT 3.1.1 refuses them.
TEST(MqttSessionProperties, UserPropertiesOfSubscribeUnsubscribeAndDisconnect) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  auto& s = f.make();
  ASSERT_TRUE(s.subscribe({{.filter = "a", .user_properties = {{"k", "1"}}},
                           {.filter = "b", .user_properties = {{"k", "1"}}},
                           {.filter = "c", .user_properties = {{"k", "2"}}}}));
  ASSERT_TRUE(s.connected(f.t0));
  (void)f.written();
  ASSERT_TRUE(f.feed(bytes({0x20, 3, 0, 0, 0})));
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 2u) << "a and b share one SUBSCRIBE, c has its own";
  EXPECT_EQ(w[0].packet[4], std::byte{7}) << "properties: k=1";
  EXPECT_EQ(w[0].packet[11], std::byte{'1'});
  EXPECT_EQ(w[1].packet[11], std::byte{'2'});
  ASSERT_TRUE(s.unsubscribe("a", {{"why", "done"}}));
  s.pump(1 << 20, f.t0);
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, 10);
  EXPECT_EQ(w[0].packet[4], std::byte{12}) << "properties: why=done";
  EXPECT_FALSE(s.unsubscribe("a", {{"k", "\xc3\x28"}})) << "not UTF-8";
  s.stop(f.t0, {{"bye", "now"}});
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].packet, bytes({0xE0, 13, 0, 11, 0x26, 0, 3, 'b', 'y', 'e', 0, 3, 'n', 'o', 'w'}));

  Fixture old(Version::v3_1_1);
  auto& s311 = old.make();
  auto st = s311.unsubscribe("a", {{"k", "v"}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), errc::not_supported);
  st = s311.subscribe({{.filter = "a", .user_properties = {{"k", "v"}}}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), errc::not_supported);
}

}  // namespace
}  // namespace sockkit::mqtt

namespace sockkit::mqtt {
namespace {
using namespace session_test;

/// True if `packet` parses as an acknowledgement whose properties are exactly
/// the user property device=meter-17.
bool carries_device_property(const Written& w) {
  codec::FixedHeader h;
  if (codec::frame(w.packet, 1 << 20, h) != codec::Frame::complete) return false;
  codec::Properties props;
  auto ack = codec::read_ack(Version::v5, h, std::span(w.packet).subspan(h.header_size), &props);
  const auto expected = bytes(
      {0x26, 0, 6, 'd', 'e', 'v', 'i', 'c', 'e', 0, 8, 'm', 'e', 't', 'e', 'r', '-', '1', '7'});
  return ack && ack->code == 0 &&
         std::equal(props.block.begin(), props.block.end(), expected.begin(), expected.end());
}

TEST(MqttSessionProperties, OurAcknowledgementsCarryTheUserPropertiesAskedFor) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  f.settings.ack_user_properties = {{"device", "meter-17"}};
  auto& s = f.make();
  f.up();
  ASSERT_TRUE(f.feed(f.publish(
      {.topic = "in/a", .payload = text("1"), .qos = QoS::at_least_once, .packet_id = 5})));
  ASSERT_TRUE(f.feed(f.publish(
      {.topic = "in/b", .payload = text("2"), .qos = QoS::exactly_once, .packet_id = 6})));
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrel, 6)));
  ASSERT_TRUE(s.publish("out", text("x"), QoS::exactly_once, false, {}, f.t0));
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].type, kPuback);
  EXPECT_EQ(w[1].type, kPubrec);
  EXPECT_EQ(w[2].type, kPubcomp);
  EXPECT_EQ(w[3].type, kPublish);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(carries_device_property(w[static_cast<std::size_t>(i)])) << "packet " << i;
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrec, w[3].packet_id)));
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPubrel);
  EXPECT_TRUE(carries_device_property(w[0]));
}

TEST(MqttSessionProperties, AckPropertiesPastTheBrokersPacketLimitAreLeftOff) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  f.settings.ack_user_properties = {{"device", std::string(100, 'x')}};
  auto& s = f.make();
  f.up(false, bytes({0x27, 0, 0, 0, 64}));  // the broker takes packets of 64 bytes at most
  ASSERT_TRUE(f.feed(f.publish(
      {.topic = "in/a", .payload = text("1"), .qos = QoS::at_least_once, .packet_id = 5})));
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPuback);
  EXPECT_EQ(w[0].packet.size(), 4u) << "the acknowledgement itself, without the properties";
  (void)s;
}

TEST(MqttSessionProperties, ConnectAsksForResponseInformationAndLessProblemInformation) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  f.settings.request_response_information = true;
  f.settings.request_problem_information = false;
  auto& s = f.make();
  ASSERT_TRUE(s.connected(f.t0));
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  const auto& p = w[0].packet;
  const auto asks = [&](std::initializer_list<int> property) {
    const auto want = bytes(property);
    return std::search(p.begin(), p.end(), want.begin(), want.end()) != p.end();
  };
  EXPECT_TRUE(asks({0x19, 1})) << "request response information";
  EXPECT_TRUE(asks({0x17, 0})) << "request problem information: no";
  Fixture plain(Version::v5);
  auto& t = plain.make();
  ASSERT_TRUE(t.connected(plain.t0));
  const auto connect = plain.written()[0].packet;
  const auto none = bytes({0x19, 1});
  EXPECT_EQ(std::search(connect.begin(), connect.end(), none.begin(), none.end()), connect.end())
      << "not asked by default";
}

}  // namespace
}  // namespace sockkit::mqtt
