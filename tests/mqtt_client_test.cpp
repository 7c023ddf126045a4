// SPDX-License-Identifier: MIT
// The MQTT client against a broker on the test's own loop (support/fake_broker):
// the exchange of every QoS, the window, retransmission, subscriptions,
// keepalive, the outbox, the file store, topic aliases. Both protocol versions,
// every stack. Misbehaving brokers and handlers: mqtt_client_hostile_test.cpp.
#include <filesystem>
#include <string>
#include <vector>

#include "support/mqtt_client_fixture.hpp"

namespace sockkit::test {
namespace {

TEST_P(MqttClientTest, ConnectCarriesTheSessionAndCredentials) {
  auto s = settings();
  s.clean_session = false;
  s.keepalive = 17s;
  s.user_name = "meter";
  s.password = "secret";
  s.will = mqtt::Will{.topic = "dev/1/status", .payload = "gone", .qos = QoS::at_least_once};
  connect(s);
  auto connects = broker->of(PacketType::connect);
  ASSERT_EQ(connects.size(), 1u);
  const auto& body = connects[0].body;
  EXPECT_EQ(std::to_integer<int>(body[6]), v5() ? 5 : 4);        // protocol level
  EXPECT_EQ(std::to_integer<int>(body[7]), 0xc0 | 0x08 | 0x04);  // user, password, will QoS 1
  EXPECT_EQ(std::to_integer<int>(body[9]), 17);                  // keepalive
  EXPECT_TRUE(client->connected());
  EXPECT_EQ(client->client_id(), "dev-1");
}

TEST_P(MqttClientTest, EveryQosCompletesItsExchange) {
  connect(settings());
  auto q0 = client->publish("t/0", "zero", QoS::at_most_once);
  auto q1 = client->publish("t/1", "one", QoS::at_least_once);
  auto q2 = client->publish("t/2", "two", QoS::exactly_once, true);
  ASSERT_OK(q0);
  ASSERT_OK(q1);
  ASSERT_OK(q2);
  EXPECT_TRUE(events.published.empty());  // never from inside publish()
  ASSERT_TRUE(run_until([&] { return events.published.size() == 3; }));
  EXPECT_EQ(events.published[0].first, *q0);
  for (auto& [id, ec] : events.published)
    EXPECT_FALSE(ec) << id << ": " << ec.message();
  auto publishes = broker->of(PacketType::publish);
  ASSERT_EQ(publishes.size(), 3u);
  EXPECT_EQ(publishes[2].topic(), "t/2");
  EXPECT_EQ(publishes[2].payload(), "two");
  EXPECT_EQ(publishes[2].qos(), 2);
  EXPECT_EQ(publishes[2].header.flags & 1, 1);  // retain
  EXPECT_EQ(count(PacketType::pubrel), 1u);
  EXPECT_EQ(client->stats().inflight, 0u);
  EXPECT_EQ(client->stats().outbox_messages, 0u);
}

TEST_P(MqttClientTest, TheWindowBoundsUnacknowledgedMessages) {
  auto s = settings();
  s.max_inflight = 2;
  connect(s);
  broker->ack_publish = false;
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(client->publish("w", std::to_string(i), QoS::at_least_once));
  run_until([&] { return false; }, 100ms);
  auto sent = broker->of(PacketType::publish);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(client->stats().inflight, 2u);
  broker->send({0x40, 2, 0, static_cast<int>(sent[0].packet_id())});  // PUBACK the first
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) == 3; }));
  EXPECT_EQ(broker->of(PacketType::publish)[2].payload(), "2");
}

TEST_P(MqttClientTest, BrokerReceiveMaximumNarrowsTheWindow) {
  if (!v5()) GTEST_SKIP() << "receive maximum is an MQTT 5 property";
  broker->connack_properties = {std::byte{0x21}, std::byte{0}, std::byte{1}};
  connect(settings());
  broker->ack_publish = false;
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(client->publish("w", "x", QoS::exactly_once));
  run_until([&] { return false; }, 100ms);
  EXPECT_EQ(count(PacketType::publish), 1u);
}

TEST_P(MqttClientTest, ResumedSessionRetransmitsInOrderWithDup) {
  auto s = settings();
  s.clean_session = false;
  connect(s);
  broker->ack_publish = false;
  ASSERT_OK(client->publish("r", "a", QoS::at_least_once));
  ASSERT_OK(client->publish("r", "b", QoS::exactly_once));
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) == 2; }));
  const auto first = broker->of(PacketType::publish);
  broker->send({0x50, 2, 0, static_cast<int>(first[1].packet_id())});  // PUBREC for "b"
  ASSERT_TRUE(run_until([&] { return count(PacketType::pubrel) == 1; }));
  broker->session_present = true;
  broker->drop();
  ASSERT_TRUE(run_until([&] { return events.connected == 2 && count(PacketType::pubrel) == 2; }));
  auto again = broker->of(PacketType::publish);
  ASSERT_EQ(again.size(), 3u);  // "a" again; "b" continues with PUBREL
  EXPECT_TRUE(again[2].dup());
  EXPECT_EQ(again[2].packet_id(), first[0].packet_id());
  EXPECT_EQ(again[2].payload(), "a");
  EXPECT_EQ(broker->of(PacketType::pubrel)[1].packet_id(), first[1].packet_id());
  EXPECT_EQ(client->stats().retransmitted, 2u);
  EXPECT_EQ(events.session_flags, (std::vector<bool>{false, true}));
}

TEST_P(MqttClientTest, NewSessionSendsAgainAsNewAndReportsLostQos2) {
  connect(settings());
  broker->ack_publish = false;
  ASSERT_OK(client->publish("n", "a", QoS::at_least_once));
  auto b = client->publish("n", "b", QoS::exactly_once);
  ASSERT_OK(b);
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) == 2; }));
  broker->send({0x50, 2, 0, static_cast<int>(broker->of(PacketType::publish)[1].packet_id())});
  ASSERT_TRUE(run_until([&] { return count(PacketType::pubrel) == 1; }));
  broker->drop();
  broker->ack_publish = true;
  ASSERT_TRUE(run_until([&] { return events.published.size() == 2; }));
  auto again = broker->of(PacketType::publish);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_FALSE(again[2].dup());  // a new session has no earlier copy to flag
  EXPECT_EQ(again[2].payload(), "a");
  // "b" reached the old session only: the client says so instead of guessing.
  EXPECT_EQ(events.published[0].first, *b);
  EXPECT_EQ(events.published[0].second, make_error_code(mqtt::reason::session_not_resumed));
  EXPECT_FALSE(events.published[1].second);
}

TEST_P(MqttClientTest, IncomingQos2IsDeliveredOnce) {
  connect(settings());
  broker->publish("in/2", "once", 2, 9);
  broker->publish("in/2", "once", 2, 9, true);  // the broker's retransmission
  ASSERT_TRUE(run_until([&] { return count(PacketType::pubrec) == 2; }));
  EXPECT_EQ(events.messages.size(), 1u);
  EXPECT_EQ(client->stats().duplicates_dropped, 1u);
  broker->send({0x62, 2, 0, 9});  // PUBREL
  ASSERT_TRUE(run_until([&] { return count(PacketType::pubcomp) == 1; }));
  broker->publish("in/2", "next", 2, 9);  // the id is free again: a new message
  ASSERT_TRUE(run_until([&] { return events.messages.size() == 2; }));
  broker->publish("in/1", "q1", 1, 10);
  ASSERT_TRUE(run_until([&] { return count(PacketType::puback) == 1; }));
  EXPECT_EQ(events.messages.back().topic, "in/1");
  EXPECT_EQ(broker->of(PacketType::puback)[0].packet_id(), 10);
}

TEST_P(MqttClientTest, SubscriptionsAreAnsweredAndMadeAgainForANewSession) {
  make(settings());
  ASSERT_OK(client->subscribe(
      {{.filter = "a/+", .qos = QoS::exactly_once}, {.filter = "b/#", .qos = QoS::at_most_once}}));
  EXPECT_ERRC(client->subscribe("a/#/b"), errc::invalid_argument);
  client->start();
  ASSERT_TRUE(run_until([&] { return events.subscribed.size() == 1; }));
  EXPECT_FALSE(events.subscribed[0][0]);
  broker->suback_code = 0x80;
  ASSERT_OK(client->subscribe("c", QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return events.subscribed.size() == 2; }));
  EXPECT_EQ(events.subscribed[1][0], errc::protocol_error);
  broker->suback_code = 0xff;
  ASSERT_OK(client->unsubscribe("c"));
  ASSERT_TRUE(run_until([&] { return count(PacketType::unsubscribe) == 1; }));
  broker->drop();
  ASSERT_TRUE(run_until([&] { return events.subscribed.size() == 3; }));
  auto subs = broker->of(PacketType::subscribe);
  EXPECT_EQ(subs.back().connection, 2);
  EXPECT_EQ(events.subscribed[2].size(), 2u);  // a/+ and b/#, not the forgotten c
}

TEST_P(MqttClientTest, NoConnackMeansReconnect) {
  broker->answer_connect = false;
  auto s = settings();
  s.connack_timeout = 200ms;
  make(s);
  client->start();
  ASSERT_TRUE(run_until([&] { return broker->connections >= 2; }));
  ASSERT_FALSE(events.disconnects.empty());
  EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::connack_timeout));
  EXPECT_EQ(events.disconnects[0], errc::timed_out);
  EXPECT_EQ(events.connected, 0);
}

TEST_P(MqttClientTest, SilentBrokerIsDeclaredDeadWithinOneAndAHalfKeepalives) {
  auto s = settings();
  s.keepalive = 1s;
  connect(s);
  broker->answer_ping = false;
  const auto up = EventLoop::Clock::now();
  // QoS 0 traffic keeps the client sending: the silence of the broker must still count.
  auto ticker = loop->add_repeating_timer(100ms, [&] { (void)client->publish("q0", "x"); });
  ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }, 4s));
  loop->cancel_timer(ticker);
  const auto took = EventLoop::Clock::now() - up;
  EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::ping_timeout));
  EXPECT_EQ(count(PacketType::pingreq), 1u);
  EXPECT_GE(took, 1400ms);  // a ping at 1 s, half a keepalive to answer it
  EXPECT_LE(took, 2000ms) << "bound: 1.5 x keepalive, plus scheduling slack";
  ASSERT_TRUE(run_until([&] { return events.connected == 2; }));  // and it reconnects
}

TEST_P(MqttClientTest, IdleClientPingsAndStaysUp) {
  auto s = settings();
  s.keepalive = 1s;
  connect(s);
  run_until([] { return false; }, 2300ms);
  EXPECT_GE(count(PacketType::pingreq), 2u);
  EXPECT_TRUE(events.disconnects.empty());
}

TEST_P(MqttClientTest, OutboxIsBoundedAndCountsWhatItDrops) {
  auto s = settings();
  s.outbox_messages = 3;
  make(s);  // not started: everything waits
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(client->publish("o", std::to_string(i), QoS::at_least_once));
  EXPECT_EQ(client->stats().dropped_messages, 2u);  // counted at once
  EXPECT_EQ(events.dropped_messages, 0u);           // reported from the loop, not from publish()
  ASSERT_TRUE(run_until([&] { return events.dropped_messages == 2; }));
  EXPECT_EQ(client->stats().outbox_messages, 3u);
  client->start();
  ASSERT_TRUE(run_until([&] { return events.published.size() == 3; }));
  auto sent = broker->of(PacketType::publish);
  ASSERT_EQ(sent.size(), 3u);  // the newest three, in order
  EXPECT_EQ(sent[0].payload(), "2");
  EXPECT_EQ(sent[2].payload(), "4");

  auto s2 = settings();
  s2.outbox_bytes = 10;
  s2.outbox_overflow = OutboxOverflow::drop_newest;
  Events other;
  auto c2 = mqtt::Client::create(*loop, s2, other);
  ASSERT_OK(c2);
  ASSERT_OK(c2->publish("o", "12345", QoS::at_least_once));  // 6 bytes with the topic
  EXPECT_ERRC(c2->publish("o", "12345", QoS::at_least_once), errc::limit_exceeded);
  EXPECT_EQ(c2->stats().dropped_messages, 1u);
  EXPECT_EQ(c2->stats().outbox_messages, 1u);
}

TEST_P(MqttClientTest, FileStoreCarriesMessagesAcrossARestart) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sockkit-mqtt-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = mqtt::FileStore::open(dir.string());
  ASSERT_OK(store);
  auto s = settings();
  s.clean_session = false;
  s.store = &*store;
  connect(s);
  broker->ack_publish = false;
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(client->publish("s", "m" + std::to_string(i), QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) == 3; }));
  client.reset();  // the process "dies"
  run_until([] { return false; }, 50ms);
  std::size_t files = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir))
    ++files;
  EXPECT_EQ(files, 3u);

  broker->ack_publish = true;
  broker->session_present = true;
  auto reopened = mqtt::FileStore::open(dir.string());
  ASSERT_OK(reopened);
  s.store = &*reopened;
  Events after;
  auto c = mqtt::Client::create(*loop, s, after);
  ASSERT_OK(c);
  EXPECT_EQ(c->stats().outbox_messages, 3u);
  c->start();
  ASSERT_TRUE(run_until([&] { return after.published.size() == 3; }));
  auto sent = broker->of(PacketType::publish);
  ASSERT_EQ(sent.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sent[3 + i].payload(), "m" + std::to_string(i));
    EXPECT_TRUE(sent[3 + i].dup());
    EXPECT_EQ(sent[3 + i].packet_id(), sent[i].packet_id());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));  // acknowledged: gone from the disk too
  { mqtt::Client done = std::move(*c); }        // gone before its store's directory
  std::filesystem::remove_all(dir);
}

TEST_P(MqttClientTest, TopicAliasesBothWays) {
  if (!v5()) GTEST_SKIP() << "topic aliases are MQTT 5";
  broker->connack_properties = {std::byte{0x22}, std::byte{0}, std::byte{4}};
  connect(settings());
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(client->publish("long/topic/name", "x"));
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) == 3; }));
  auto sent = broker->of(PacketType::publish);
  EXPECT_EQ(sent[0].topic(), "long/topic/name");
  EXPECT_EQ(sent[1].topic(), "");  // the alias names it
  broker->publish("down/link", "first", 0, 0, false, 2);
  broker->publish("", "second", 0, 0, false, 2);
  ASSERT_TRUE(run_until([&] { return events.messages.size() == 2; }));
  EXPECT_EQ(events.messages[1].topic, "down/link");
  EXPECT_EQ(events.messages[1].payload, "second");
}

// What a broker adds to its answers (a reason string on PUBACK, a server
// reference on DISCONNECT) reaches on_reply just before the callback the
// answer leads to.
TEST_P(MqttClientTest, ABrokersReasonStringsReachOnReplyBeforeTheirCallback) {
  if (!v5()) GTEST_SKIP() << "reason strings are MQTT 5";
  broker->ack_publish = false;
  broker->on_packet = [&](const MqttPacket& p) {
    if (p.type() != PacketType::publish) return false;
    const auto id = p.packet_id();
    // PUBACK "no matching subscribers", reason string "kept"; then DISCONNECT
    // "use another server", server reference "b2".
    broker->send({0x40, 11, id >> 8, id & 0xff, 0x10, 7, 0x1F, 0, 4, 'k', 'e', 'p', 't'});
    broker->send({0xE0, 10, 0x9C, 8, 0x1C, 0, 2, 'b', '2', 0x1F, 0, 0});
    return true;
  };
  connect(settings());
  events.sequence.clear();
  ASSERT_OK(client->publish("t", "x", QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }));
  ASSERT_GE(events.sequence.size(), 4u) << testing::PrintToString(events.sequence);
  EXPECT_EQ(events.sequence[0], "reply:kept");
  EXPECT_EQ(events.sequence[1], "published");
  EXPECT_EQ(events.sequence[2], "reply:");
  EXPECT_EQ(events.sequence[3], "disconnected");
  EXPECT_EQ(events.reply_servers.back(), "b2");
  EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::use_another_server));
}

TEST_P(MqttClientTest, StopWithUserPropertiesSendsThemInDisconnect) {
  if (!v5()) GTEST_SKIP() << "user properties are MQTT 5";
  connect(settings());
  client->stop({{"reason", "firmware update"}});
  ASSERT_TRUE(run_until([&] { return count(PacketType::disconnect) == 1; }));
  const auto body = broker->of(PacketType::disconnect)[0].body;
  const std::string text(reinterpret_cast<const char*>(body.data()), body.size());
  EXPECT_NE(text.find("firmware update"), std::string::npos);
  EXPECT_EQ(body[2], std::byte{0x26}) << "code 0, then the properties: one user property";
}

TEST_P(MqttClientTest, StopSendsDisconnectAndGivesUp) {
  connect(settings());
  client->stop();
  ASSERT_TRUE(run_until([&] { return !events.given_up.empty(); }));
  EXPECT_TRUE(run_until([&] { return count(PacketType::disconnect) == 1; }));
  EXPECT_FALSE(client->connected());
  run_until([] { return false; }, 150ms);
  EXPECT_EQ(broker->connections, 1);  // no reconnect after stop()
}

// A device that says "offline" (retained) and then stops: the status leaves
// before DISCONNECT, or the retained "online" would stand for a device gone
// (DISCONNECT suppresses the will too).
TEST_P(MqttClientTest, WhatIsPublishedJustBeforeStopLeavesBeforeDisconnect) {
  connect(settings());
  ASSERT_OK(client->publish("meters/1/status", "offline", QoS::at_most_once, true));
  ASSERT_OK(client->publish("meters/1/last", "reading 7", QoS::at_least_once));
  client->stop();
  ASSERT_TRUE(run_until([&] { return count(PacketType::disconnect) == 1; }));
  std::vector<std::string> order;
  for (const auto& p : broker->received)
    if (p.type() == PacketType::publish || p.type() == PacketType::disconnect)
      order.push_back(p.type() == PacketType::publish ? p.topic() : "DISCONNECT");
  EXPECT_EQ(order, (std::vector<std::string>{"meters/1/status", "meters/1/last", "DISCONNECT"}));
}

// Two devices with one client id: an MQTT 5 broker tells the first that its
// session was taken over. Reconnecting at once would take it back, and the
// two would throw each other out for ever; the client stops and says why.
TEST_P(MqttClientTest, ASessionTakenOverStopsInsteadOfFlapping) {
  if (GetParam() != Version::v5) GTEST_SKIP() << "MQTT 3.1.1 has no reason to give";
  for (bool reconnect : {false, true}) {
    SCOPED_TRACE(reconnect ? "reconnect_after_takeover" : "default");
    const int before = broker->connections;
    events = {};
    auto s = settings();
    s.reconnect_after_takeover = reconnect;
    connect(s);
    broker->send({0xe0, 2, 0x8e, 0});  // DISCONNECT, session taken over
    broker->drop();
    ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }));
    EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::session_taken_over));
    if (!reconnect) {
      ASSERT_TRUE(run_until([&] { return !events.given_up.empty(); }));
      EXPECT_EQ(events.given_up[0], make_error_code(mqtt::reason::session_taken_over));
      run_until([] { return false; }, 300ms);  // the reconnect policy's initial delay, twice
      EXPECT_EQ(broker->connections, before + 1) << "reconnected after the takeover";
    } else {
      ASSERT_TRUE(run_until([&] { return broker->connections == before + 2; }));
      EXPECT_TRUE(events.given_up.empty());
    }
    client.reset();
  }
}

TEST_P(MqttClientTest, SettingsThatCannotWorkAreRefused) {
  auto s = settings();
  s.will = mqtt::Will{.topic = "a/#"};
  EXPECT_ERRC(mqtt::Client::create(*loop, s, events), errc::invalid_argument);
  s = settings();
  s.max_inflight = 0;
  EXPECT_ERRC(mqtt::Client::create(*loop, s, events), errc::invalid_argument);
  s = settings();
  s.client_id.clear();
  s.clean_session = false;
  if (!v5()) EXPECT_ERRC(mqtt::Client::create(*loop, s, events), errc::invalid_argument);
  make(settings());
  EXPECT_ERRC(client->publish("a/+", "x"), errc::invalid_argument);
  EXPECT_ERRC(client->publish("", "x"), errc::invalid_argument);
}

// MQTT 3.1.1 always, MQTT 5 unless the build leaves it out (SOCKKIT_MQTT5=OFF);
// a client asked for a level the build lacks is refused, not quietly downgraded.
TEST(MqttVersions, TheBuildSpeaksWhatItSaysAndRefusesWhatItLeftOut) {
  constexpr bool built_with_5 = SOCKKIT_MQTT5 != 0;
  EXPECT_TRUE(mqtt::version_available(Version::v3_1_1));
  EXPECT_EQ(mqtt::version_available(Version::v5), built_with_5);
  EXPECT_EQ(mqtt::default_version(), built_with_5 ? Version::v5 : Version::v3_1_1);
  EXPECT_EQ(mqtt::Options{}.version, mqtt::default_version());
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  struct : mqtt::Handler {
  } quiet;
  auto five =
      mqtt::Client::create(*loop, {.target = "127.0.0.1:1883", .version = Version::v5}, quiet);
  if (built_with_5)
    EXPECT_OK(five);
  else
    EXPECT_ERRC(five, errc::not_supported);
  EXPECT_OK(
      mqtt::Client::create(*loop, {.target = "127.0.0.1:1883", .version = Version::v3_1_1}, quiet));
}

// MQTT 3.1 wants a client id of 1 to 23 characters: anything else is refused
// when the client is made, not by the broker later.
TEST(MqttVersions, Mqtt31TakesOnlyClientIdsItCanSend) {
  EXPECT_TRUE(mqtt::version_available(Version::v3_1));
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  struct : mqtt::Handler {
  } quiet;
  auto make = [&](std::string id) {
    return mqtt::Client::create(
        *loop, {.target = "127.0.0.1:1883", .version = Version::v3_1, .client_id = std::move(id)},
        quiet);
  };
  EXPECT_OK(make("meter-17"));
  EXPECT_OK(make(std::string(23, 'm')));
  EXPECT_ERRC(make(""), errc::invalid_argument);
  EXPECT_ERRC(make(std::string(24, 'm')), errc::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Versions, MqttClientTest, ::testing::Values(Version::v3_1_1, Version::v5),
                         [](const ::testing::TestParamInfo<Version>& version) {
                           return version.param == Version::v5 ? std::string("v5")
                                                               : std::string("v311");
                         });

}  // namespace
}  // namespace sockkit::test
