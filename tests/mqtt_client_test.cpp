// The MQTT client against a broker on the test's own loop (support/fake_broker):
// the exchange of every QoS, the window, retransmission, subscriptions,
// keepalive, the outbox, the file store, and brokers that misbehave. Both
// protocol versions, every stack.
#include <filesystem>
#include <string>
#include <vector>

#include "support/fake_broker.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using mqtt::QoS;
using mqtt::Version;
using mqtt::codec::PacketType;

struct Events : mqtt::Handler {
  struct Received {
    std::string topic, payload;
    QoS qos;
    bool duplicate;
  };
  int connected = 0;
  std::vector<bool> session_flags;
  std::vector<std::error_code> disconnects;
  std::vector<Received> messages;
  std::vector<std::pair<std::uint64_t, std::error_code>> published;
  std::vector<std::vector<std::error_code>> subscribed;
  std::size_t dropped_messages = 0;
  std::vector<std::error_code> given_up;
  std::function<void()> on_connect_hook, on_message_hook, on_published_hook;

  void on_connected(bool session_present) override {
    ++connected;
    session_flags.push_back(session_present);
    if (on_connect_hook) on_connect_hook();
  }
  void on_disconnected(std::error_code why) override { disconnects.push_back(why); }
  void on_message(const mqtt::Message& m) override {
    messages.push_back({std::string(m.topic), std::string(m.text()), m.qos, m.duplicate});
    if (on_message_hook) on_message_hook();
  }
  void on_published(std::uint64_t id, std::error_code result) override {
    published.emplace_back(id, result);
    if (on_published_hook) on_published_hook();
  }
  void on_subscribed(std::span<const mqtt::Subscription>,
                     std::span<const std::error_code> results) override {
    subscribed.emplace_back(results.begin(), results.end());
  }
  void on_dropped(std::size_t messages_dropped, std::size_t) override {
    dropped_messages += messages_dropped;
  }
  void on_given_up(std::error_code last) override { given_up.push_back(last); }
};

class MqttClientTest : public SockkitTest, public ::testing::WithParamInterface<Version> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
    broker = FakeBroker::start(*loop, GetParam(), Endpoint::loopback_v4(0));
    ASSERT_TRUE(broker);
  }
  void TearDown() override {
    client.reset();
    broker.reset();
    if (loop) loop->run_until([] { return false; }, EventLoop::Clock::now() + 20ms);
    loop.reset();
    SockkitTest::TearDown();
  }

  mqtt::Settings settings() {
    mqtt::Settings s;
    s.target = broker->target();
    s.version = GetParam();
    s.client_id = "dev-1";
    s.connack_timeout = 2s;
    s.transport.reconnect = {.initial = 20ms, .max = 100ms, .jitter = 0};
    return s;
  }
  void make(mqtt::Settings s) {
    auto c = mqtt::Client::create(*loop, std::move(s), events);
    ASSERT_OK(c);
    client = std::move(*c);
  }
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 3s) {
    return loop->run_until(done, EventLoop::Clock::now() + limit);
  }
  void connect(mqtt::Settings s) {
    make(std::move(s));
    client->start();
    ASSERT_TRUE(run_until([&] { return events.connected > 0; }));
  }
  std::size_t count(PacketType t) const { return broker->of(t).size(); }
  bool v5() const { return GetParam() == Version::v5; }

  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<FakeBroker> broker;
  Events events;
  std::unique_ptr<mqtt::Client> client;
};

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

struct Hostile {
  const char* name;
  std::vector<int> bytes;
  mqtt::reason expect;
};

TEST_P(MqttClientTest, HostileBrokerBytesCloseWithAReasonAndReconnect) {
  const std::vector<Hostile> cases = {
      {"garbage", {0x00, 0x00}, mqtt::reason::malformed_packet},
      {"five length bytes", {0x30, 0xff, 0xff, 0xff, 0xff, 0x01}, mqtt::reason::malformed_packet},
      {"oversized", {0x30, 0xff, 0xff, 0x7f}, mqtt::reason::packet_too_large},
      {"short puback", {0x40, 1, 0}, mqtt::reason::malformed_packet},
      {"subscribe from a broker", {0x82, 5, 0, 1, 0, 1, 'a'}, mqtt::reason::unexpected_packet},
      {"second connack", {0x20, 2, 0, 0}, mqtt::reason::unexpected_packet},
      {"pingreq from a broker", {0xc0, 0}, mqtt::reason::unexpected_packet},
      {"publish qos 3", {0x36, 5, 0, 1, 't', 0, 1}, mqtt::reason::malformed_packet},
      {"unknown alias", {0x30, 6, 0, 0, 3, 0x23, 0, 99}, mqtt::reason::topic_alias_invalid},
  };
  auto s = settings();
  s.max_packet_size = 4096;
  connect(s);
  int round = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    if (!v5() && c.expect == mqtt::reason::topic_alias_invalid) continue;
    std::vector<std::byte> raw;
    for (int b : c.bytes)
      raw.push_back(std::byte(b));
    broker->send(raw);
    ASSERT_TRUE(run_until([&] { return events.disconnects.size() == std::size_t(round); }));
    EXPECT_EQ(events.disconnects.back(), make_error_code(c.expect))
        << events.disconnects.back().message();
    ASSERT_TRUE(run_until([&] { return events.connected == round + 1; }));
    ++round;
  }
}

TEST_P(MqttClientTest, PacketsBeforeConnackAreAProtocolError) {
  broker->answer_connect = false;
  broker->on_packet = [&](const MqttPacket& p) {
    if (p.type() == PacketType::connect) broker->publish("early", "x", 0, 0);
    return false;
  };
  make(settings());
  client->start();
  ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }));
  EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::unexpected_packet));
  EXPECT_TRUE(events.messages.empty());
}

TEST_P(MqttClientTest, RefusedCredentialsAreAClearCondition) {
  broker->connack_code = v5() ? 0x86 : 4;
  make(settings());
  client->start();
  ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }));
  EXPECT_EQ(events.disconnects[0], make_error_code(mqtt::reason::bad_user_name_or_password));
  EXPECT_EQ(events.disconnects[0], errc::permission_denied);
  EXPECT_EQ(events.connected, 0);
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
  ASSERT_OK((*c2)->publish("o", "12345", QoS::at_least_once));  // 6 bytes with the topic
  EXPECT_ERRC((*c2)->publish("o", "12345", QoS::at_least_once), errc::limit_exceeded);
  EXPECT_EQ((*c2)->stats().dropped_messages, 1u);
  EXPECT_EQ((*c2)->stats().outbox_messages, 1u);
}

TEST_P(MqttClientTest, FileStoreCarriesMessagesAcrossARestart) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sockkit-mqtt-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = mqtt::FileStore::open(dir.string());
  ASSERT_OK(store);
  auto s = settings();
  s.clean_session = false;
  s.store = store->get();
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
  s.store = reopened->get();
  Events after;
  auto c = mqtt::Client::create(*loop, s, after);
  ASSERT_OK(c);
  EXPECT_EQ((*c)->stats().outbox_messages, 3u);
  (*c)->start();
  ASSERT_TRUE(run_until([&] { return after.published.size() == 3; }));
  auto sent = broker->of(PacketType::publish);
  ASSERT_EQ(sent.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sent[3 + i].payload(), "m" + std::to_string(i));
    EXPECT_TRUE(sent[3 + i].dup());
    EXPECT_EQ(sent[3 + i].packet_id(), sent[i].packet_id());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));  // acknowledged: gone from the disk too
  c->reset();
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

TEST_P(MqttClientTest, ClientDestroyedInsideItsOwnCallbacks) {
  connect(settings());
  events.on_message_hook = [&] { client.reset(); };
  broker->publish("x", "1", 1, 3);
  broker->publish("x", "2", 1, 4);
  ASSERT_TRUE(run_until([&] { return client == nullptr; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(events.messages.size(), 1u);
  EXPECT_EQ(count(PacketType::puback), 0u);  // destroyed before acknowledging: sent again later

  Events second;
  second.on_connect_hook = [&] { client.reset(); };
  auto c = mqtt::Client::create(*loop, settings(), second);
  ASSERT_OK(c);
  client = std::move(*c);
  client->start();
  ASSERT_TRUE(run_until([&] { return client == nullptr; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(second.connected, 1);
}

TEST_P(MqttClientTest, ClientDestroyedWhenItsPublicationCompletesOrItsSessionEnds) {
  connect(settings());
  events.on_published_hook = [&] { client.reset(); };  // inside pump(), between messages
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(client->publish("p", "x", QoS::at_most_once));
  ASSERT_TRUE(run_until([&] { return client == nullptr; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(events.published.size(), 1u);  // nothing calls back after the destruction

  struct Destroyer : Events {
    std::function<void()> hook;
    void on_disconnected(std::error_code why) override {
      Events::on_disconnected(why);
      hook();
    }
  } third;
  third.hook = [&] { client.reset(); };
  auto c = mqtt::Client::create(*loop, settings(), third);
  ASSERT_OK(c);
  client = std::move(*c);
  client->start();
  ASSERT_TRUE(run_until([&] { return third.connected == 1; }));
  broker->drop();
  ASSERT_TRUE(run_until([&] { return client == nullptr; }));
  run_until([] { return false; }, 100ms);
  EXPECT_EQ(third.disconnects.size(), 1u);
  EXPECT_EQ(third.connected, 1);  // no reconnect of a destroyed client
}

// A drop caused by publish(): the handler hears of it from the loop (never from
// inside publish()), may destroy the client there, and nothing fires later.
TEST_P(MqttClientTest, ClientDestroyedWhenTheOutboxDropsInsidePublish) {
  auto s = settings();
  s.max_inflight = 1;
  s.outbox_messages = 2;
  connect(s);
  broker->ack_publish = false;
  ASSERT_OK(client->publish("d", "in flight", QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) == 1; }));
  ASSERT_OK(client->publish("d", "queued", QoS::at_least_once));
  struct DropDestroys : Events {
    std::unique_ptr<mqtt::Client>* owner = nullptr;
    void on_dropped(std::size_t n, std::size_t b) override {
      Events::on_dropped(n, b);
      owner->reset();
    }
  };
  // The same client's handler cannot change; a second client shows it.
  DropDestroys dropper;
  dropper.owner = &client;
  client.reset();
  run_until([] { return false; }, 20ms);
  auto c = mqtt::Client::create(*loop, s, dropper);
  ASSERT_OK(c);
  client = std::move(*c);
  client->start();
  ASSERT_TRUE(run_until([&] { return dropper.connected == 1; }));
  ASSERT_OK(client->publish("d", "1", QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return count(PacketType::publish) >= 2; }));
  ASSERT_OK(client->publish("d", "2", QoS::at_least_once));
  auto* raw = client.get();
  (void)raw->publish("d", "3", QoS::at_least_once);  // drops "2"
  ASSERT_NE(client, nullptr);  // the handler hears of it from the loop, and destroys the client
  ASSERT_TRUE(run_until([&] { return client == nullptr; }));
  run_until([] { return false; }, 100ms);  // nothing armed by the destroyed client may fire
  EXPECT_EQ(dropper.dropped_messages, 1u);
}

// The broker resets the connection between two writes of one burst: the send
// that meets the reset closes the connection inside the client's own write.
TEST_P(MqttClientTest, ResetBetweenTwoWritesOfABurst) {
  connect(settings());
  events.on_published_hook = [&] {
    if (events.published.size() == 1) broker->drop();  // unread data: the kernel sends RST
  };
  for (int i = 0; i < 20; ++i)
    ASSERT_OK(client->publish("burst", std::string(1000, 'x')));
  ASSERT_TRUE(run_until([&] { return !events.disconnects.empty(); }));
  ASSERT_TRUE(run_until([&] { return events.connected == 2; }));  // and it reconnects
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

INSTANTIATE_TEST_SUITE_P(Versions, MqttClientTest, ::testing::Values(Version::v3_1_1, Version::v5),
                         [](const ::testing::TestParamInfo<Version>& version) {
                           return version.param == Version::v5 ? std::string("v5")
                                                               : std::string("v311");
                         });

}  // namespace
}  // namespace sockkit::test
