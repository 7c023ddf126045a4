// SPDX-License-Identifier: MIT
// The mosquitto suites' fixture: a loop, mosquitto started per test (with the
// test PKI's TLS listeners when TLS is built), clients made on the loop, a
// recorder of their callbacks, and a way to run programs in the background.
// Shared by mqtt_broker_test.cpp and mqtt_cli_test.cpp.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/fixture.hpp"
#include "support/mosquitto.hpp"
#include "support/mqtt_versions.hpp"
#include "support/spawned.hpp"
#if SOCKKIT_TEST_TLS
#include "support/test_pki.hpp"
#endif

namespace sockkit::test {

using namespace std::chrono_literals;
using mqtt::QoS;
using mqtt::Version;

/// Runs a program to its end (15 s at most); its exit status and output.
inline std::pair<int, std::string> cli_program(const std::string& command) {
  Spawned run(command);
  for (int i = 0; i < 1500 && !run.done(); ++i)
    usleep(10000);
  return {run.done() ? run.exit_code() : -1, run.output()};
}

#ifdef SOCKKIT_CLI
/// Runs the `sockkit` program with `args`.
inline std::pair<int, std::string> cli(const std::string& args) {
  return cli_program(std::string(SOCKKIT_CLI) + " " + args);
}
#endif

struct Events : mqtt::Handler {
  int connected = 0;
  std::vector<std::error_code> disconnects, connect_failures;
  std::vector<mqtt::Message> raw;
  std::vector<std::string> topics, payloads;
  std::vector<bool> retained;
  std::size_t published = 0, subscribed = 0;
  std::vector<std::error_code> publish_errors;
  void on_connected(bool) override { ++connected; }
  void on_disconnected(std::error_code why) override { disconnects.push_back(why); }
  void on_connect_failed(std::error_code why) override { connect_failures.push_back(why); }
  void on_message(const mqtt::Message& m) override {
    topics.emplace_back(m.topic);
    payloads.emplace_back(m.text());
    retained.push_back(m.retain);
  }
  void on_published(std::uint64_t, std::error_code result) override {
    ++published;
    if (result) publish_errors.push_back(result);
  }
  void on_subscribed(std::span<const mqtt::Subscription>,
                     std::span<const std::error_code>) override {
    ++subscribed;
  }
};

inline const char* version_flag(Version v) {
  return v == Version::v5 ? "mqttv5" : v == Version::v3_1 ? "mqttv31" : "mqttv311";
}

class MosquittoTest : public SockkitTest, public ::testing::WithParamInterface<Version> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (!Mosquitto::available()) GTEST_SKIP() << "mosquitto and mosquitto-clients not installed";
    SOCKKIT_SKIP_UNLESS_BUILT_WITH(GetParam());
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
#if SOCKKIT_TEST_TLS
    pki = std::make_unique<TestPki>();
    ASSERT_TRUE(pki->ok()) << pki->error();
    broker = std::make_unique<Mosquitto>("127.0.0.1", pki.get());
#else
    broker = std::make_unique<Mosquitto>("127.0.0.1");
#endif
    std::string why;
    ASSERT_TRUE(broker->start(why)) << why;
  }
  void TearDown() override {
    clients.clear();
    if (loop) loop->run_until([] { return false; }, EventLoop::Clock::now() + 20ms);
    broker.reset();
    loop.reset();
    SockkitTest::TearDown();
  }

  mqtt::Options settings(std::string id, std::uint16_t port = 0) {
    mqtt::Options s;
    s.target = broker->target(port != 0 ? port : broker->port);
    s.version = GetParam();
    s.client_id = std::move(id);
    s.transport.reconnect = {.initial = 50ms, .max = 300ms, .jitter = 0};
    return s;
  }
  mqtt::Client& make(mqtt::Options s, Events& events) {
    auto c = mqtt::Client::create(*loop, std::move(s), events);
    EXPECT_TRUE(c.has_value());
    clients.push_back(std::move(*c));
    return *clients.back();
  }
  /// Runs the loop until `done`; it also wakes every 10 ms, for conditions outside
  /// the loop (another process's output, the broker's log).
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto tick = loop->add_repeating_timer(10ms, [] {});
    const bool ok = loop->run_until(done, EventLoop::Clock::now() + limit);
    loop->cancel_timer(tick);
    return ok;
  }
  /// Waits until mosquitto has answered a SUBSCRIBE of client `id` (its log says so).
  bool subscribed(const std::string& id) {
    return run_until([&] { return broker->log().find("SUBACK to " + id) != std::string::npos; });
  }
  /// A client refused at TLS, as sockkit reports it. TLS 1.3 finishes the
  /// client's handshake before the server checks: the refusal then ends the
  /// connection instead of the attempt.
  void expect_tls_refusal(const Events& refused) {
    ASSERT_TRUE(run_until(
        [&] { return !refused.connect_failures.empty() || !refused.disconnects.empty(); }));
    const auto why =
        refused.connect_failures.empty() ? refused.disconnects[0] : refused.connect_failures[0];
    EXPECT_TRUE(why == errc::tls_handshake_failed || why == errc::tls_protocol_error ||
                why == errc::connection_reset || why == errc::peer_closed)
        << why.message();
    EXPECT_EQ(refused.connected, 0);
  }
  /// The test PKI, or null in a build without TLS.
  const TestPki* test_pki() const {
#if SOCKKIT_TEST_TLS
    return pki.get();
#else
    return nullptr;
#endif
  }
  std::string sub_command(const std::string& id, const std::string& topic, int count) {
    return "/usr/bin/mosquitto_sub -h 127.0.0.1 -p " + std::to_string(broker->port) + " -V " +
           version_flag(GetParam()) + " -i " + id + " -t '" + topic + "' -q 2 -v -C " +
           std::to_string(count) + " -W 10";
  }

  std::optional<EventLoop> loop;
#if SOCKKIT_TEST_TLS
  std::unique_ptr<TestPki> pki;
#endif
  std::unique_ptr<Mosquitto> broker;
  std::deque<std::optional<mqtt::Client>> clients;  // references stay valid as it grows
};

}  // namespace sockkit::test
