// SPDX-License-Identifier: MIT
// The MQTT client against brokers that misbehave and handlers that destroy it:
// hostile bytes, packets out of turn, refusals, the client destroyed inside
// its own callbacks, a reset between two writes. Both versions, every stack.
#include <optional>
#include <string>
#include <vector>

#include "support/mqtt_client_fixture.hpp"

namespace sockkit::test {
namespace {

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
    if (v5()) {  // told why (4.13), with the reason code or, for our own findings, 0x82
      ASSERT_TRUE(run_until([&] {
        return broker->of(mqtt::codec::PacketType::disconnect).size() == std::size_t(round);
      }));
      const auto said = broker->of(mqtt::codec::PacketType::disconnect);
      ASSERT_FALSE(said.back().body.empty());
      const int expected = static_cast<int>(c.expect) < 0x100
                               ? static_cast<int>(c.expect)
                               : static_cast<int>(mqtt::reason::protocol_error);
      EXPECT_EQ(std::to_integer<int>(said.back().body[0]), expected);
    }
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

TEST_P(MqttClientTest, ClientDestroyedInsideItsOwnCallbacks) {
  connect(settings());
  events.on_message_hook = [&] { client.reset(); };
  broker->publish("x", "1", 1, 3);
  broker->publish("x", "2", 1, 4);
  ASSERT_TRUE(run_until([&] { return !client; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(events.messages.size(), 1u);
  EXPECT_EQ(count(PacketType::puback), 0u);  // destroyed before acknowledging: sent again later

  Events second;
  second.on_connect_hook = [&] { client.reset(); };
  auto c = mqtt::Client::create(*loop, settings(), second);
  ASSERT_OK(c);
  client = std::move(*c);
  client->start();
  ASSERT_TRUE(run_until([&] { return !client; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(second.connected, 1);
}

TEST_P(MqttClientTest, ClientDestroyedWhenItsPublicationCompletesOrItsSessionEnds) {
  connect(settings());
  events.on_published_hook = [&] { client.reset(); };  // inside pump(), between messages
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(client->publish("p", "x", QoS::at_most_once));
  ASSERT_TRUE(run_until([&] { return !client; }));
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
  ASSERT_TRUE(run_until([&] { return !client; }));
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
    std::optional<mqtt::Client>* owner = nullptr;
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
  auto* raw = (client ? &*client : nullptr);
  (void)raw->publish("d", "3", QoS::at_least_once);  // drops "2"
  ASSERT_TRUE(client);  // the handler hears of it from the loop, and destroys the client
  ASSERT_TRUE(run_until([&] { return !client; }));
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

}  // namespace
}  // namespace sockkit::test
