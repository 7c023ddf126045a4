// SPDX-License-Identifier: MIT
// The MQTT client suites' fixture: a loop, a broker on it (support/fake_broker)
// speaking the parameter's protocol version, and a handler that records every
// callback. Shared by mqtt_client_test.cpp and mqtt_client_hostile_test.cpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/fake_broker.hpp"
#include "support/fixture.hpp"
#include "support/mqtt_versions.hpp"

namespace sockkit::test {

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
  /// MQTT 5 replies, and the order of callbacks around them ("reply:<reason
  /// string>", "published", "disconnected").
  std::vector<std::string> sequence;
  std::vector<std::string> reply_servers;
  std::function<void()> on_connect_hook, on_message_hook, on_published_hook;

  void on_connected(bool session_present) override {
    ++connected;
    session_flags.push_back(session_present);
    if (on_connect_hook) on_connect_hook();
  }
  void on_disconnected(std::error_code why) override {
    disconnects.push_back(why);
    sequence.emplace_back("disconnected");
  }
  void on_reply(const mqtt::Reply& r) override {
    sequence.push_back("reply:" + std::string(r.reason_string));
    reply_servers.emplace_back(r.server_reference);
  }
  void on_message(const mqtt::Message& m) override {
    messages.push_back({std::string(m.topic), std::string(m.text()), m.qos, m.duplicate});
    if (on_message_hook) on_message_hook();
  }
  void on_published(std::uint64_t id, std::error_code result) override {
    published.emplace_back(id, result);
    sequence.emplace_back("published");
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
    SOCKKIT_SKIP_UNLESS_BUILT_WITH(GetParam());
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

  mqtt::Options settings() {
    mqtt::Options s;
    s.target = broker->target();
    s.version = GetParam();
    s.client_id = "dev-1";
    s.connack_timeout = 2s;
    s.transport.reconnect = {.initial = 20ms, .max = 100ms, .jitter = 0};
    return s;
  }
  void make(mqtt::Options s) {
    auto c = mqtt::Client::create(*loop, std::move(s), events);
    ASSERT_OK(c);
    client = std::move(*c);
  }
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 3s) {
    return loop->run_until(done, EventLoop::Clock::now() + limit);
  }
  void connect(mqtt::Options s) {
    make(std::move(s));
    client->start();
    ASSERT_TRUE(run_until([&] { return events.connected > 0; }));
  }
  std::size_t count(PacketType t) const { return broker->of(t).size(); }
  bool v5() const { return GetParam() == Version::v5; }

  std::optional<EventLoop> loop;
  std::unique_ptr<FakeBroker> broker;
  Events events;
  std::optional<mqtt::Client> client;
};

}  // namespace sockkit::test
