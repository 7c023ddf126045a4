// SPDX-License-Identifier: MIT
// The MQTT session with a fake clock and no sockets: CONNECT and its
// deadline, keepalive, every QoS flow both ways, retransmission order after a
// resumed session, receive maximum both ways, topic aliases both ways.
#include "mqtt_session_fixture.hpp"

namespace sockkit::mqtt {
namespace {
using namespace session_test;
TEST(MqttSession, ConnectIsWrittenAndAMissingConnackEndsTheConnection) {
  Fixture f;
  auto& s = f.make();
  EXPECT_FALSE(s.next_deadline());
  ASSERT_TRUE(s.connected(f.t0));
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kConnect);
  EXPECT_EQ(s.next_deadline(), f.t0 + f.settings.connack_timeout);
  EXPECT_FALSE(s.advance(f.t0 + f.settings.connack_timeout - 1ms));
  EXPECT_EQ(s.advance(f.t0 + f.settings.connack_timeout), reason::connack_timeout);
}

TEST(MqttSession, TheLongestConnackTimeoutNeverFires) {
  Fixture f;
  f.settings.connack_timeout = std::chrono::milliseconds::max();
  auto& s = f.make();
  ASSERT_TRUE(s.connected(f.t0));
  const auto deadline = s.next_deadline();
  ASSERT_TRUE(deadline);
  EXPECT_GT(*deadline, f.t0 + std::chrono::hours(24 * 365 * 50)) << "wrapped into the past";
  EXPECT_FALSE(s.advance(f.t0 + std::chrono::hours(24 * 365)));
}

TEST(MqttSession, RefusedConnackIsTheErrorToCloseWith) {
  Fixture f;
  auto& s = f.make();
  ASSERT_TRUE(s.connected(f.t0));
  auto r = f.feed(bytes({0x20, 2, 0, 5}));  // 3.1.1: not authorized
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::permission_denied) << r.error().message();
  EXPECT_TRUE(f.take().empty());
}

TEST(MqttSession, KeepaliveSendsAPingAndDeclaresTheBrokerDeadAtOneAndAHalfIntervals) {
  Fixture f;
  auto& s = f.make();
  f.up();
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::connected);
  EXPECT_EQ(s.next_deadline(), f.t0 + 10s);
  EXPECT_FALSE(s.advance(f.t0 + 10s));
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPingreq);
  EXPECT_EQ(s.next_deadline(), f.t0 + 15s);
  ASSERT_TRUE(f.feed(bytes({0xD0, 0}), 12s));  // PINGRESP: alive
  EXPECT_EQ(s.next_deadline(), f.t0 + 20s) << "the last ping was sent at 10 s";
  EXPECT_FALSE(s.advance(f.t0 + 20s));
  EXPECT_EQ(f.written().size(), 1u);
  EXPECT_EQ(s.advance(f.t0 + 25s), reason::ping_timeout);
}

TEST(MqttSession, QosOneAndTwoFlowsCompleteWithTheirIds) {
  Fixture f;
  auto& s = f.make();
  f.up();
  (void)f.take();
  auto q0 = s.publish("m/0", text("a"), QoS::at_most_once, false);
  auto q1 = s.publish("m/1", text("b"), QoS::at_least_once, false);
  auto q2 = s.publish("m/2", text("c"), QoS::exactly_once, true);
  ASSERT_TRUE(q0 && q1 && q2);
  EXPECT_TRUE(f.written().empty()) << "nothing is written before pump()";
  EXPECT_TRUE(s.has_work());
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].type, kPublish);
  EXPECT_EQ(w[0].topic, "m/0");
  EXPECT_NE(w[1].packet_id, 0);
  EXPECT_NE(w[2].packet_id, w[1].packet_id);
  auto e = f.take();  // QoS 0 is done once written
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::published);
  EXPECT_EQ(e[0].id, *q0);
  EXPECT_EQ(s.stats().inflight, 2u);

  ASSERT_TRUE(f.feed(f.ack(PacketType::puback, w[1].packet_id)));
  e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].id, *q1);
  EXPECT_FALSE(e[0].result);

  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrec, w[2].packet_id)));
  EXPECT_TRUE(f.take().empty()) << "QoS 2 is not done at PUBREC";
  auto rel = f.written();
  ASSERT_EQ(rel.size(), 1u);
  EXPECT_EQ(rel[0].type, kPubrel);
  EXPECT_EQ(rel[0].packet_id, w[2].packet_id);
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubcomp, w[2].packet_id)));
  e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].id, *q2);
  EXPECT_EQ(s.stats().published, 3u);
  EXPECT_EQ(s.stats().inflight, 0u);
}

TEST(MqttSession, IncomingQosTwoIsDeliveredOnceAndQosOneIsAcknowledgedAfterDelivery) {
  Fixture f;
  auto& s = f.make();
  f.up();
  (void)f.take();
  auto qos2 =
      f.publish({.topic = "in/2", .payload = text("x"), .qos = QoS::exactly_once, .packet_id = 7});
  ASSERT_TRUE(f.feed(qos2));
  auto again = qos2;
  again[0] |= std::byte{0x08};  // DUP: the broker sends it again before PUBREL
  ASSERT_TRUE(f.feed(again));
  auto w = f.written();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].type, kPubrec);
  EXPECT_EQ(w[1].type, kPubrec);
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u) << "delivered once";
  EXPECT_EQ(f.events.message(e[0]).topic, "in/2");
  EXPECT_EQ(s.stats().duplicates_dropped, 1u);
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrel, 7)));
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPubcomp);

  auto qos1 =
      f.publish({.topic = "in/1", .payload = text("y"), .qos = QoS::at_least_once, .packet_id = 8});
  ASSERT_TRUE(f.feed(qos1));
  std::fill(qos1.begin(), qos1.end(), std::byte{0});  // the event owns its copy
  e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(f.events.message(e[0]).topic, "in/1");
  EXPECT_EQ(f.events.message(e[0]).text(), "y");
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPuback);
  EXPECT_EQ(w[0].packet_id, 8);
}

TEST(MqttSession, ResumedSessionRetransmitsInFlightMessagesInOrderWithDup) {
  Fixture f;
  f.settings.clean_session = false;
  auto& s = f.make();
  f.up();
  for (const char* topic : {"a", "b", "c"})
    ASSERT_TRUE(s.publish(topic, text("m"), QoS::at_least_once, false));
  ASSERT_TRUE(s.publish("q2", text("m"), QoS::exactly_once, false));
  s.pump(1 << 20, f.t0);
  auto first = f.written();
  ASSERT_EQ(first.size(), 4u);
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrec, first[3].packet_id)));  // q2: released
  (void)f.written();
  s.disconnected();
  (void)f.take();

  f.up(/*session_present=*/true);
  auto again = f.written();
  ASSERT_EQ(again.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again[i].type, kPublish);
    EXPECT_TRUE(again[i].dup);
    EXPECT_EQ(again[i].packet_id, first[i].packet_id);
    EXPECT_EQ(again[i].topic, first[i].topic);
  }
  EXPECT_EQ(again[3].type, kPubrel) << "a released QoS 2 message resumes at PUBREL";
  EXPECT_EQ(again[3].packet_id, first[3].packet_id);
  EXPECT_EQ(s.stats().retransmitted, 4u);
}

TEST(MqttSession, NewSessionSendsAgainFromTheStartAndReportsReleasedQosTwoAsLost) {
  Fixture f;
  auto& s = f.make();
  f.up();
  ASSERT_TRUE(s.subscribe({{.filter = "cmd/#", .qos = QoS::at_least_once}}));
  auto q1 = s.publish("a", text("m"), QoS::at_least_once, false);
  auto q2 = s.publish("b", text("m"), QoS::exactly_once, false);
  s.pump(1 << 20, f.t0);
  auto first = f.written();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].type, kSubscribe) << "subscriptions go first";
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrec, first[2].packet_id)));
  s.disconnected();
  (void)f.take();
  (void)f.written();

  f.up(/*session_present=*/false);
  auto e = f.take();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::published);
  EXPECT_EQ(e[0].id, *q2);
  EXPECT_EQ(e[0].result, reason::session_not_resumed);
  EXPECT_EQ(e[1].kind, SessionEvent::Kind::connected);
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kSubscribe) << "the subscription is made again";
  s.pump(1 << 20, f.t0);
  w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_FALSE(w[0].dup) << "a new session: sent as new";
  (void)q1;
}

TEST(MqttSession, BrokersReceiveMaximumBoundsTheWindowAndABrokerPastOursIsCounted) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  f.settings.receive_maximum = 1;
  auto& s = f.make();
  f.up(false, bytes({0x21, 0, 2}));  // Receive Maximum 2
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(s.publish("m", text("x"), QoS::at_least_once, false));
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  EXPECT_EQ(w.size(), 2u) << "two in flight at most";
  ASSERT_TRUE(f.feed(f.ack(PacketType::puback, w[0].packet_id)));
  s.pump(1 << 20, f.t0);
  EXPECT_EQ(f.written().size(), 1u) << "an acknowledgement makes room for one more";

  ASSERT_TRUE(f.feed(
      f.publish({.topic = "in", .payload = text("1"), .qos = QoS::exactly_once, .packet_id = 1})));
  // A broker past our receive maximum: counted, and the message is not lost.
  auto r = f.feed(
      f.publish({.topic = "in", .payload = text("2"), .qos = QoS::exactly_once, .packet_id = 2}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(s.stats().receive_maximum_overruns, 1u);
  std::size_t messages = 0;
  for (const auto& e : f.take())
    messages += e.kind == SessionEvent::Kind::message ? 1 : 0;
  EXPECT_EQ(messages, 2u);
}

// MQTT 3.1.1 has no receive maximum: a broker may have any number of QoS 2
// messages awaiting PUBREL, and every one is delivered once and answered.
TEST(MqttSession, OnThreeOneOneIncomingQosTwoIsNotBoundedByTheReceiveMaximum) {
  Fixture f(Version::v3_1_1);
  f.settings.receive_maximum = 64;
  auto& s = f.make();
  f.up();
  constexpr int kBurst = 300;
  for (int id = 1; id <= kBurst; ++id) {
    auto r = f.feed(f.publish({.topic = "in",
                               .payload = text("x"),
                               .qos = QoS::exactly_once,
                               .packet_id = static_cast<std::uint16_t>(id)}));
    ASSERT_TRUE(r) << "message " << id << ": " << r.error().message();
  }
  EXPECT_EQ(s.stats().receive_maximum_overruns, 0u) << "3.1.1 has no receive maximum to overrun";
  auto w = f.written();
  ASSERT_EQ(w.size(), static_cast<std::size_t>(kBurst));
  for (const auto& p : w)
    EXPECT_EQ(p.type, kPubrec);
  std::size_t messages = 0;
  for (const auto& e : f.take())
    messages += e.kind == SessionEvent::Kind::message ? 1 : 0;
  EXPECT_EQ(messages, static_cast<std::size_t>(kBurst));
  for (int id = 1; id <= kBurst; ++id)
    ASSERT_TRUE(f.feed(f.ack(PacketType::pubrel, static_cast<std::uint16_t>(id))));
  EXPECT_EQ(f.written().size(), static_cast<std::size_t>(kBurst)) << "a PUBCOMP for each";
  EXPECT_EQ(s.stats().duplicates_dropped, 0u);
}

TEST(MqttSession, TopicAliasesBothWays) {
  SOCKKIT_SKIP_UNLESS_BUILT_WITH(Version::v5);
  Fixture f(Version::v5);
  f.settings.topic_alias_maximum = 4;
  auto& s = f.make();
  f.up(false, bytes({0x22, 0, 8}));  // the broker takes 8 aliases
  ASSERT_TRUE(s.publish("meter/energy", text("1"), QoS::at_most_once, false));
  ASSERT_TRUE(s.publish("meter/energy", text("2"), QoS::at_most_once, false));
  s.pump(1 << 20, f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].topic, "meter/energy");
  EXPECT_EQ(w[0].topic_alias, 1);
  EXPECT_EQ(w[1].topic, "") << "the second names the topic by its alias";
  EXPECT_EQ(w[1].topic_alias, 1);

  (void)f.take();
  ASSERT_TRUE(f.feed(f.publish({.topic = "cmd/reboot", .payload = text("a"), .topic_alias = 3})));
  ASSERT_TRUE(f.feed(f.publish({.topic = "", .payload = text("b"), .topic_alias = 3})));
  auto e = f.take();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(f.events.message(e[1]).topic, "cmd/reboot");
  auto bad = f.feed(f.publish({.topic = "", .payload = text("c"), .topic_alias = 2}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), reason::topic_alias_invalid);
}

TEST(MqttSession, StopWritesDisconnectAndNoLongerAcknowledgesQosOne) {
  Fixture f;
  auto& s = f.make();
  f.up();
  s.stop(f.t0);
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kDisconnect);
  EXPECT_TRUE(s.stopping());
  auto used = f.feed(
      f.publish({.topic = "in", .payload = text("1"), .qos = QoS::at_least_once, .packet_id = 3}));
  ASSERT_TRUE(used);
  EXPECT_EQ(*used, 0u) << "nothing more is read: the next session gets it again";
  EXPECT_TRUE(f.written().empty());
}

// `sub -C 1 -q 2`: stopping right after a QoS 2 message must not leave its
// flow half done. DISCONNECT waits for the PUBREL (answered with PUBCOMP);
// new messages meanwhile are neither delivered nor acknowledged (the next
// session gets them).
TEST(MqttSession, StopCompletesTheQosTwoFlowsAlreadyReceivedBeforeDisconnect) {
  Fixture f;
  auto& s = f.make();
  f.up();
  ASSERT_TRUE(f.feed(
      f.publish({.topic = "in", .payload = text("1"), .qos = QoS::exactly_once, .packet_id = 7})));
  auto w = f.written();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].type, kPubrec);
  s.stop(f.t0);
  EXPECT_TRUE(f.written().empty()) << "no DISCONNECT while message 7 awaits its PUBREL";
  EXPECT_FALSE(s.disconnect_written());
  ASSERT_TRUE(f.feed(
      f.publish({.topic = "in", .payload = text("2"), .qos = QoS::exactly_once, .packet_id = 8})));
  ASSERT_TRUE(f.feed(
      f.publish({.topic = "in", .payload = text("3"), .qos = QoS::at_least_once, .packet_id = 9})));
  EXPECT_TRUE(f.written().empty()) << "new messages are not taken while stopping";
  ASSERT_TRUE(f.feed(f.ack(PacketType::pubrel, 7)));
  w = f.written();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].type, kPubcomp);
  EXPECT_EQ(w[1].type, kDisconnect);
  EXPECT_TRUE(s.disconnect_written());
  std::size_t messages = 0;
  for (const auto& e : f.take())
    messages += e.kind == SessionEvent::Kind::message ? 1 : 0;
  EXPECT_EQ(messages, 1u);
}

// MQTT 5 (4.13): the client says why it hangs up on a broker at fault, with
// DISCONNECT and the reason code; MQTT 3.1.1's DISCONNECT carries none, so
// there it just closes.
TEST(MqttSession, ABrokerAtFaultIsToldWhyOnMqttFive) {
  for (Version v : {Version::v5, Version::v3_1_1}) {
    if (!version_available(v)) continue;  // a 3.1.1-only build checks the quiet close
    Fixture f(v);
    auto& s = f.make();
    f.up();
    // PUBLISH with QoS 3: malformed.
    auto r = f.feed(bytes({0x36, 5, 0, 1, 't', 0, 1}));
    ASSERT_FALSE(r);
    const auto out = s.output();
    if (v == Version::v5) {
      ASSERT_GE(out.size(), 3u);
      EXPECT_EQ(std::to_integer<int>(out[0]), 0xE0) << "DISCONNECT";
      EXPECT_EQ(std::to_integer<int>(out[2]), static_cast<int>(reason::malformed_packet));
      EXPECT_TRUE(s.disconnect_written());
    } else {
      EXPECT_TRUE(out.empty());
    }
  }
}

TEST(MqttSession, OutboxOverflowIsReportedOnceForABurst) {
  Fixture f;
  f.settings.outbox_messages = 2;
  auto& s = f.make();
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(s.publish("m", text("x"), QoS::at_least_once, false));
  auto e = f.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, SessionEvent::Kind::dropped);
  EXPECT_EQ(e[0].messages, 3u);
  EXPECT_EQ(s.stats().dropped_messages, 3u);
}

}  // namespace
}  // namespace sockkit::mqtt
