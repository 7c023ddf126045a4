// SPDX-License-Identifier: MIT
// The MQTT session and a broker that hangs up: a message it hangs up on each
// time is given up after max_hang_ups_per_message, and nothing else is blamed.
#include "mqtt_session_fixture.hpp"

namespace sockkit::mqtt {
namespace {
using namespace session_test;
std::vector<SessionEvent> published_in(const std::vector<SessionEvent>& events) {
  std::vector<SessionEvent> out;
  for (const auto& e : events)
    if (e.kind == SessionEvent::Kind::published) out.push_back(e);
  return out;
}

TEST(MqttSession, AMessageTheBrokerHangsUpOnEachTimeIsGivenUpAndTheRestGoOn) {
  for (bool clean : {false, true}) {
    SCOPED_TRACE(clean ? "clean session" : "resumed session");
    Fixture f;
    f.settings.clean_session = clean;
    auto& s = f.make();
    f.up();
    const auto bad = s.publish("too/big", text("m"), QoS::at_least_once, false);
    const auto good = s.publish("fine", text("m"), QoS::at_least_once, false);
    ASSERT_TRUE(bad && good);
    s.pump(1 << 20, f.t0);
    for (int hang_up = 1; hang_up <= 3; ++hang_up) {
      ASSERT_EQ(f.written().size(), 2u) << "both sent, hang-up " << hang_up;
      s.disconnected(/*broker_hung_up=*/true);
      const auto events = published_in(f.take());
      if (hang_up < 3) {
        EXPECT_TRUE(events.empty()) << "given up too soon";
        f.up(/*session_present=*/!clean);
        s.pump(1 << 20, f.t0);
        continue;
      }
      ASSERT_EQ(events.size(), 1u) << "the third hang-up gives the message up";
      EXPECT_EQ(events[0].kind, SessionEvent::Kind::published);
      EXPECT_EQ(events[0].id, *bad);
      EXPECT_EQ(events[0].result, make_error_code(failure::rejected_by_hang_up));
    }
    EXPECT_EQ(s.stats().rejected_by_hang_up, 1u);
    f.up(/*session_present=*/!clean);
    s.pump(1 << 20, f.t0);
    const auto after = f.written();
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].topic, "fine") << "the message behind it goes on";
    ASSERT_TRUE(f.feed(f.ack(PacketType::puback, after[0].packet_id)));
    const auto done = published_in(f.take());
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, *good);
    EXPECT_FALSE(done[0].result);
  }
}

TEST(MqttSession, HangUpsAfterTheBrokerAnsweredOrByATimeoutBlameNoMessage) {
  Fixture f;
  f.settings.clean_session = false;
  auto& s = f.make();
  f.up();
  ASSERT_TRUE(s.publish("a", text("m"), QoS::at_least_once, false));
  ASSERT_TRUE(s.publish("b", text("m"), QoS::at_least_once, false));
  for (int round = 0; round < 5; ++round) {
    s.pump(1 << 20, f.t0);
    (void)f.written();
    // The broker answered a PINGREQ after the messages were sent: it read past them.
    ASSERT_TRUE(f.feed(bytes({0xd0, 0})));
    s.disconnected(/*broker_hung_up=*/true);
    f.up(/*session_present=*/true);
    (void)f.written();
    s.disconnected(/*broker_hung_up=*/false);  // a keepalive timeout: the network's fault
    f.up(/*session_present=*/true);
  }
  EXPECT_TRUE(published_in(f.take()).empty());
  EXPECT_EQ(s.stats().rejected_by_hang_up, 0u);
  EXPECT_EQ(s.stats().outbox_messages, 2u);
}

TEST(MqttSession, ZeroHangUpsPerMessageNeverGivesUp) {
  Fixture f;
  f.settings.max_hang_ups_per_message = 0;
  auto& s = f.make();
  f.up();
  ASSERT_TRUE(s.publish("a", text("m"), QoS::at_least_once, false));
  for (int round = 0; round < 10; ++round) {
    s.pump(1 << 20, f.t0);
    (void)f.written();
    s.disconnected(/*broker_hung_up=*/true);
    f.up();
  }
  EXPECT_TRUE(published_in(f.take()).empty());
  EXPECT_EQ(s.stats().outbox_messages, 1u);
}

}  // namespace
}  // namespace sockkit::mqtt
