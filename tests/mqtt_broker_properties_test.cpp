// SPDX-License-Identifier: MIT
// MQTT 5 properties against mosquitto, side by side with its clients:
// what sockkit publishes with properties reads the same in mosquitto_sub as
// what mosquitto_pub sends, what mosquitto_pub sends reaches on_message whole,
// subscription identifiers, retain handling and retain-as-published as the
// broker applies them, and a will's properties and delay.
#include <algorithm>

#include "support/mosquitto_fixture.hpp"
#include "support/netns.hpp"

namespace sockkit::test {
namespace {

/// What on_message showed, copied out of the callback's views.
struct Received {
  std::string topic, payload, content_type, response_topic, correlation;
  std::optional<std::chrono::seconds> expiry;
  bool payload_utf8 = false, retain = false;
  std::vector<std::pair<std::string, std::string>> user_properties;
  std::vector<std::uint32_t> subscription_ids;
};

struct Recorder : Events {
  std::vector<Received> messages;
  void on_message(const mqtt::Message& m) override {
    Events::on_message(m);
    Received r{.topic = std::string(m.topic),
               .payload = std::string(m.text()),
               .content_type = std::string(m.content_type),
               .response_topic = std::string(m.response_topic),
               .correlation = std::string(reinterpret_cast<const char*>(m.correlation_data.data()),
                                          m.correlation_data.size()),
               .expiry = m.expiry,
               .payload_utf8 = m.payload_utf8,
               .retain = m.retain,
               .user_properties = {},
               .subscription_ids = {}};
    for (const auto& [name, value] : m.user_properties)
      r.user_properties.emplace_back(name, value);
    r.subscription_ids.assign(m.subscription_ids.begin(), m.subscription_ids.end());
    messages.push_back(std::move(r));
  }
};

using MosquittoPropertiesTest = MosquittoTest;

std::string at(const Mosquitto& broker) {
  return "-h 127.0.0.1 -p " + std::to_string(broker.port) + " -V mqttv5";
}

/// mosquitto_sub printing one message's topic and MQTT 5 properties.
std::string properties_sub(const Mosquitto& broker, const std::string& id,
                           const std::string& topic) {
  return "/usr/bin/mosquitto_sub " + at(broker) + " -i " + id + " -t '" + topic +
         "' -q 1 -C 1 -W 10 -F '%t|%C|%D|%E|%F|%P|%R|%p'";
}

TEST_P(MosquittoPropertiesTest, WhatSockkitPublishesReadsInMosquittoSubAsMosquittoPubs) {
  Spawned reference_sub(properties_sub(*broker, "watch-ref", "ref/x"));
  Spawned sockkit_sub(properties_sub(*broker, "watch-sk", "sk/x"));
  ASSERT_TRUE(subscribed("watch-ref") && subscribed("watch-sk")) << broker->log();
  ASSERT_TRUE(
      shell("/usr/bin/mosquitto_pub " + at(*broker) +
            " -t ref/x -q 1 -m 42.1 -D publish user-property unit kWh"
            " -D publish user-property unit again -D publish content-type text/plain"
            " -D publish correlation-data req-7 -D publish response-topic meters/answer"
            " -D publish message-expiry-interval 600 -D publish payload-format-indicator 1"));
  Events events;
  auto& c = make(settings("pub-props"), events);
  c.start();
  const mqtt::UserProperty tags[] = {{"unit", "kWh"}, {"unit", "again"}};
  const std::string correlation = "req-7";
  ASSERT_OK(c.publish("sk/x", "42.1", QoS::at_least_once, false,
                      {.expiry = 600s,
                       .payload_utf8 = true,
                       .content_type = "text/plain",
                       .response_topic = "meters/answer",
                       .correlation_data = std::as_bytes(std::span(correlation)),
                       .user_properties = tags}));
  ASSERT_TRUE(run_until([&] { return reference_sub.done() && sockkit_sub.done(); }, 10s));
  const std::string expected = "|text/plain|req-7|600|1|unit:kWh unit:again|meters/answer|42.1\n";
  EXPECT_EQ(reference_sub.output(), "ref/x" + expected) << "mosquitto_pub, for reference";
  EXPECT_EQ(sockkit_sub.output(), "sk/x" + expected);
  EXPECT_TRUE(events.publish_errors.empty());
}

TEST_P(MosquittoPropertiesTest, WhatMosquittoPubSendsReachesOnMessageWhole) {
  Recorder got;
  auto& c = make(settings("sub-props"), got);
  ASSERT_OK(c.subscribe({{.filter = "in/#", .qos = QoS::at_least_once, .id = 7},
                         {.filter = "in/x", .qos = QoS::at_least_once, .id = 9}}));
  c.start();
  ASSERT_TRUE(run_until([&] { return got.subscribed == 2; }));
  ASSERT_TRUE(
      shell("/usr/bin/mosquitto_pub " + at(*broker) +
            " -t in/x -q 1 -m hello -D publish user-property k v"
            " -D publish user-property k2 v2 -D publish content-type text/plain"
            " -D publish correlation-data abc -D publish response-topic r/1"
            " -D publish message-expiry-interval 30 -D publish payload-format-indicator 1"));
  ASSERT_TRUE(run_until([&] { return !got.messages.empty(); }));
  const Received m = got.messages[0];
  EXPECT_EQ(m.payload, "hello");
  EXPECT_EQ(m.content_type, "text/plain");
  EXPECT_EQ(m.correlation, "abc");
  EXPECT_EQ(m.response_topic, "r/1");
  ASSERT_TRUE(m.expiry);
  EXPECT_LE(m.expiry->count(), 30);
  EXPECT_GE(m.expiry->count(), 25) << "what is left after the broker held it";
  EXPECT_TRUE(m.payload_utf8);
  EXPECT_EQ(m.user_properties,
            (std::vector<std::pair<std::string, std::string>>{{"k", "v"}, {"k2", "v2"}}));
  // A broker may send one copy carrying both identifiers or a copy per
  // subscription (mosquitto does); either way both identifiers arrive.
  std::vector<std::uint32_t> ids;
  ASSERT_TRUE(run_until([&] {
    ids.clear();
    for (const auto& each : got.messages)
      ids.insert(ids.end(), each.subscription_ids.begin(), each.subscription_ids.end());
    std::sort(ids.begin(), ids.end());
    return ids.size() >= 2;
  })) << ids.size();
  EXPECT_EQ(ids, (std::vector<std::uint32_t>{7, 9})) << "both matching subscriptions";
  for (const auto& each : got.messages)
    EXPECT_EQ(each.payload, "hello");
}

// Acknowledgements that carry user properties, both directions and both QoS
// levels, and a CONNECT asking for response information: mosquitto takes
// them and the exchanges complete (it has no response information to give).
TEST_P(MosquittoPropertiesTest, AcknowledgementsWithUserPropertiesCompleteWithMosquitto) {
  Recorder got;
  auto s = settings("ack-props");
  s.ack_user_properties = {{"device", "meter-17"}};
  s.request_response_information = true;
  auto& c = make(s, got);
  ASSERT_OK(c.subscribe({{.filter = "acks/#", .qos = QoS::exactly_once}}));
  c.start();
  ASSERT_TRUE(run_until([&] { return got.subscribed == 1; }));
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub " + at(*broker) + " -t acks/1 -q 1 -m one"));
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub " + at(*broker) + " -t acks/2 -q 2 -m two"));
  ASSERT_TRUE(run_until([&] { return got.messages.size() == 2; }));
  ASSERT_OK(c.publish("acks-out", "three", QoS::exactly_once));  // PUBREL carries them too
  ASSERT_TRUE(run_until([&] { return c.stats().outbox_messages == 0; }));
  EXPECT_EQ(got.messages[0].payload, "one");
  EXPECT_EQ(got.messages[1].payload, "two");
  EXPECT_EQ(c.stats().connects, 1u) << "never disconnected by the broker";
}

TEST_P(MosquittoPropertiesTest, RetainHandlingAndRetainAsPublishedAreTheBrokers) {
  const std::string pub = "/usr/bin/mosquitto_pub " + at(*broker);
  ASSERT_TRUE(shell(pub + " -t kept/a -m old -r -q 1"));
  Recorder never, always;
  auto& a = make(settings("retain-never"), never);
  auto& b = make(settings("retain-always"), always);
  ASSERT_OK(a.subscribe({{.filter = "kept/#", .retain_handling = mqtt::RetainHandling::never},
                         {.filter = "live/rap", .retain_as_published = true}}));
  ASSERT_OK(b.subscribe({{.filter = "kept/#"}, {.filter = "live/rap"}}));
  a.start();
  b.start();
  ASSERT_TRUE(run_until([&] { return never.subscribed == 1 && always.subscribed == 1; }));
  ASSERT_TRUE(run_until([&] { return always.messages.size() == 1; }));
  EXPECT_EQ(always.messages[0].payload, "old");
  EXPECT_TRUE(always.messages[0].retain);
  // A live retained publication: the flag as published only where asked for.
  ASSERT_TRUE(shell(pub + " -t live/rap -m now -r -q 1"));
  ASSERT_TRUE(run_until([&] { return never.messages.size() == 1 && always.messages.size() == 2; }));
  EXPECT_EQ(never.messages[0].topic, "live/rap") << "the retained kept/a was never sent";
  EXPECT_TRUE(never.messages[0].retain) << "retain as published";
  EXPECT_FALSE(always.messages[1].retain) << "a live message, flag cleared";
  ASSERT_TRUE(shell(pub + " -t live/rap -n -r -q 1"));  // clean up the retained message
}

TEST_P(MosquittoPropertiesTest, AWillCarriesItsPropertiesAndWaitsOutItsDelay) {
  Spawned watcher("/usr/bin/mosquitto_sub " + at(*broker) +
                  " -i will-watch -t 'will/#' -C 1 -W 15 -F '%t|%C|%P|%R|%p'");
  ASSERT_TRUE(subscribed("will-watch")) << broker->log();
  auto s = settings("will-props");
  s.clean_session = false;
  s.session_expiry = 60s;  // the will waits for its delay, not for the session's end
  s.will = mqtt::Will{.topic = "will/meter",
                      .payload = "gone",
                      .delay = 1s,
                      .content_type = "text/plain",
                      .response_topic = "will/ack",
                      .user_properties = {{"site", "7"}}};
  Events events;
  make(s, events).start();
  ASSERT_TRUE(run_until([&] { return events.connected == 1; }));
  clients.clear();  // gone without DISCONNECT: the broker owes the will
  ASSERT_TRUE(run_until([&] { return watcher.done(); }, 15s));
  EXPECT_EQ(watcher.output(), "will/meter|text/plain|site:7|will/ack|gone\n");
  const std::string log = broker->log();
  EXPECT_NE(log.find("will-props"), std::string::npos) << log;
}

#ifdef SOCKKIT_CLI
// The same -D words given to `sockkit mqtt pub` and to mosquitto_pub: the
// two messages read the same in mosquitto_sub; and `sockkit mqtt sub -F`
// prints a message as mosquitto_sub -F does, subscription identifier too.
TEST_P(MosquittoPropertiesTest, CliPropertiesAndFormatAreMosquittos) {
  const std::string format = "'%t|%C|%D|%E|%F|%P|%R|%S|%q|%l|%x|%p'";
  const std::string watch =
      at(*broker) + " -t 'cli/#' -q 1 -C 2 -W 10 -F " + format +
      " -D subscribe subscription-identifier 5"
      " -D subscribe user-property site 7 -D disconnect user-property bye now";
  Spawned reference("/usr/bin/mosquitto_sub -i cli-ref " + watch);
  Spawned sockkit(std::string(SOCKKIT_CLI) + " mqtt sub -i cli-sk " + watch);
  ASSERT_TRUE(subscribed("cli-ref") && subscribed("cli-sk")) << broker->log();
  const std::string words =
      " -q 1 -m 42.1 -D publish user-property unit kWh -D publish user-property unit again"
      " -D publish content-type text/plain -D publish correlation-data req-7"
      " -D publish response-topic meters/answer -D publish message-expiry-interval 600"
      " -D publish payload-format-indicator 1 -D connect user-property site 7"
      " -D connect request-response-information 1 -D connect request-problem-information 0";
  auto [code, out] = cli("mqtt pub " + at(*broker) + " -t cli/sockkit" + words);
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub " + at(*broker) + " -t cli/mosquitto" + words));
  ASSERT_TRUE(run_until([&] { return reference.done() && sockkit.done(); }, 10s));
  const std::string fields =
      "|text/plain|req-7|600|1|unit:kWh unit:again|meters/answer|5|1|4|"
      "34322e31|42.1\n";
  EXPECT_EQ(reference.output(), "cli/sockkit" + fields + "cli/mosquitto" + fields)
      << "mosquitto_sub";
  EXPECT_EQ(sockkit.output(), reference.output()) << "sockkit mqtt sub -F";
  EXPECT_EQ(sockkit.exit_code(), 0);
}

TEST_P(MosquittoPropertiesTest, CliRefusesPropertiesItCannotSendAsAUsageError) {
  const std::string pub = "mqtt pub " + at(*broker) + " -t cli/x -m x ";
  auto [code, out] = cli(pub + "-D publish topic-alias 3");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("topic-alias"), std::string::npos) << out;
  std::tie(code, out) = cli(pub + "-D publish message-expiry-interval soon");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("got 'soon'"), std::string::npos) << out;
  std::tie(code, out) = cli(pub + "-D connect request-response-information 2");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("from 0 to 1"), std::string::npos) << out;
  std::tie(code, out) = cli(pub + "-D subscribe subscription-identifier 1");
  EXPECT_EQ(code, 2) << "pub sends no SUBSCRIBE";
  std::tie(code, out) = cli("mqtt sub -p " + std::to_string(broker->port) + " -t x -x 60");
  EXPECT_EQ(code, 2) << "-x on MQTT 3.1.1";
  EXPECT_NE(out.find("-x is MQTT 5"), std::string::npos) << out;
  std::tie(code, out) = cli("mqtt sub " + at(*broker) + " -t x -F '%j'");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("%j"), std::string::npos) << out;
}
#endif

INSTANTIATE_TEST_SUITE_P(Mqtt5, MosquittoPropertiesTest, ::testing::Values(Version::v5),
                         [](const auto&) { return std::string("v5"); });

}  // namespace
}  // namespace sockkit::test
