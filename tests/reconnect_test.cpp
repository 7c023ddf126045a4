// SPDX-License-Identifier: MIT
// ReconnectingClient on loopback: the retry policy, re-resolution, the
// outbox, uplinks, heartbeats, stop (its backoff schedule and outbox alone:
// unit/backoff_outbox_test.cpp). The same client under real
// network faults: netfault_test.cpp.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "support/fixture.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

struct Events : ReconnectingHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    received.append(reinterpret_cast<const char*>(d.data()), d.size());
    return d.size();
  }
  void on_open(Connection&) override { ++opens; }
  void on_close(Connection&, std::error_code why) override { closes.push_back(why); }
  void on_connecting(unsigned attempt, const std::vector<Endpoint>&) override {
    attempts.push_back(attempt);
  }
  void on_retry_scheduled(ms after, unsigned) override { retries.push_back(after.count()); }
  void on_given_up(std::error_code last) override { gave_up = last; }
  void on_heartbeat(Connection& c) override {
    ++pings;
    (void)c.send("ping");
  }
  void on_outbox_drop(std::size_t messages, std::size_t) override { dropped += messages; }
  int opens = 0, pings = 0;
  std::size_t dropped = 0;
  std::string received;
  std::vector<std::error_code> closes;
  std::vector<unsigned> attempts;
  std::vector<long long> retries;
  std::error_code gave_up;
};

ReconnectingOptions fast() {
  ReconnectingOptions s;
  s.connect_timeout = 1s;
  s.reconnect = {.initial = 10ms, .max = 80ms, .multiplier = 2, .jitter = 0, .max_attempts = 6};
  s.jitter_seed = 1;
  return s;
}

Endpoint closed_port() {
  auto l = listen_loopback(Family::ipv4);
  return *l.local_endpoint();  // closed again when `l` goes
}

class ReconnectTest : public SockkitTest {};

TEST_F(ReconnectTest, RefusedRetriesFollowThePolicyExactlyThenGiveUp) {
  auto loop = EventLoop::create();
  Events ev;
  auto client = ReconnectingClient::create(*loop, closed_port().to_string(), ev, fast());
  ASSERT_OK(client);
  client->start();
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return bool(ev.gave_up); }));
  EXPECT_EQ(ev.retries, (std::vector<long long>{10, 20, 40, 80, 80}));  // 6 attempts, 5 waits
  EXPECT_EQ(ev.attempts, (std::vector<unsigned>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(classify(ev.gave_up), errc::connection_refused);
  EXPECT_EQ(client->stats().attempts, 6u);
}

TEST_F(ReconnectTest, TheNameIsResolvedAgainOnEveryAttempt) {
  auto loop = EventLoop::create();
  Events ev;
  auto s = fast();
  s.reconnect.max_attempts = 3;
  int calls = 0;
  const Endpoint nowhere = closed_port();
  s.resolve = [&]() -> Result<std::vector<Endpoint>> {
    ++calls;
    if (calls == 1) return make_error_code(failure::name_not_found);  // DNS down at first
    return std::vector<Endpoint>{nowhere};
  };
  auto client = ReconnectingClient::create(*loop, "meter.example:1883", ev, s);
  ASSERT_OK(client);
  client->start();
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return bool(ev.gave_up); }));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(classify(ev.gave_up), errc::connection_refused);
}

TEST_F(ReconnectTest, OutboxWaitsForTheServerAndOverflowIsReported) {
  auto loop = EventLoop::create();
  Events ev;
  EchoHandler echo;
  // Reserve a port, let it go, then start the server there later.
  const Endpoint at = closed_port();
  auto s = fast();
  s.reconnect.max_attempts = 0;
  s.outbox_limit = 12;
  auto client = ReconnectingClient::create(*loop, at.to_string(), ev, s);
  ASSERT_OK(client);
  client->start();
  EXPECT_OK(client->send("one;"));
  EXPECT_OK(client->send("two;"));
  EXPECT_OK(client->send("three;"));  // 14 > 12: "one;" dropped (drop_oldest)
  EXPECT_EQ(ev.dropped, 1u);
  EXPECT_EQ(client->stats().dropped_bytes, 4u);
  EXPECT_ERRC(client->send("far too long for it"), errc::limit_exceeded);
  EXPECT_EQ(ev.dropped, 2u);
  ASSERT_TRUE(run_loop_until(*loop, 200ms, [&] { return ev.retries.size() >= 2; }));
  ServerThread server(Backend::poll, echo, {}, at);
  ASSERT_TRUE(server.ok()) << server.error();
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return ev.received == "two;three;"; }))
      << "got '" << ev.received << "'";
  EXPECT_EQ(ev.opens, 1);
  EXPECT_EQ(client->stats().outbox_messages, 0u);
}

// TCP's knobs (keepalive, user timeout) are on by default; a Unix-domain
// target has none of them and must connect all the same.
TEST_F(ReconnectTest, UnixDomainTargetsConnectWithTheDefaultSettings) {
  const auto families = stream_families();
  if (std::find(families.begin(), families.end(), Family::unix_domain) == families.end())
    GTEST_SKIP() << "no Unix-domain sockets on this stack";
  auto loop = EventLoop::create();
  Events ev;
  EchoHandler echo;
  const Endpoint at = unique_unix_endpoint();
  ServerThread server(Backend::poll, echo, {}, at);
  ASSERT_TRUE(server.ok()) << server.error();
  auto client = ReconnectingClient::create(*loop, at.to_string(), ev);
  ASSERT_OK(client);
  client->start();
  ASSERT_OK(client->send("over unix;"));
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return ev.received == "over unix;"; }))
      << (ev.closes.empty() ? std::string() : ev.closes[0].message());
  EXPECT_EQ(ev.opens, 1);
}

// Uplinks: an attempt out of one that cannot work fails over to the next at
// once (no backoff); a full round of failed uplinks waits for the backoff.
TEST_F(ReconnectTest, AFailedUplinkFailsOverAtOnceAndAFullRoundBacksOff) {
  auto loop = EventLoop::create();
  Events ev;
  EchoHandler echo;
  ServerThread server(Backend::poll, echo, {}, Endpoint::loopback_v4(0));
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = fast();
  s.uplinks = {{.device = "nosuch9"}, {}};  // no such interface; then the routing table's way
  auto client = ReconnectingClient::create(*loop, server.endpoint().to_string(), ev, s);
  ASSERT_OK(client);
  client->start();
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return ev.opens == 1; }));
  EXPECT_EQ(ev.retries, (std::vector<long long>{0})) << "the failover waited";
  EXPECT_EQ(client->stats().uplink, 1u);
  EXPECT_EQ(client->stats().uplink_switches, 1u);

  Events again;  // both uplinks fail: uplink 0 again after the backoff, then 1 at once
  s.uplinks = {{.device = "nosuch9"}, {.device = "nosuch8"}};
  s.reconnect.max_attempts = 2;
  auto failing = ReconnectingClient::create(*loop, server.endpoint().to_string(), again, s);
  ASSERT_OK(failing);
  failing->start();
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return bool(again.gave_up); }));
  EXPECT_EQ(again.retries, (std::vector<long long>{0, 10, 0}));
  EXPECT_EQ(again.gave_up, make_error_code(failure::unknown_interface));
}

TEST_F(ReconnectTest, UnansweredHeartbeatReconnectsAnsweredOneDoesNot) {
  struct Silent : ConnectionHandler {  // reads and never answers
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
  } silent;
  EchoHandler echo;
  for (bool answers : {false, true}) {
    ServerThread server(Backend::poll, answers ? static_cast<ConnectionHandler&>(echo) : silent,
                        {});
    ASSERT_TRUE(server.ok());
    auto loop = EventLoop::create();
    Events ev;
    auto s = fast();
    s.heartbeat = {.interval = 50ms, .timeout = 100ms};
    auto client = ReconnectingClient::create(*loop, server.endpoint().to_string(), ev, s);
    ASSERT_OK(client);
    client->start();
    run_loop_until(*loop, 600ms, [] { return false; });
    if (answers) {
      EXPECT_EQ(ev.opens, 1);
      EXPECT_TRUE(ev.closes.empty());
      EXPECT_GE(ev.pings, 4);
    } else {
      ASSERT_GE(ev.closes.size(), 1u);
      EXPECT_EQ(ev.closes[0], make_error_code(failure::heartbeat_timeout));
      EXPECT_GE(ev.opens, 2) << "it should have reconnected";
    }
  }
}

TEST_F(ReconnectTest, StopEndsEverythingWithAReason) {
  EchoHandler echo;
  ServerThread server(Backend::poll, echo, {});
  auto loop = EventLoop::create();
  Events ev;
  auto client = ReconnectingClient::create(*loop, server.endpoint().to_string(), ev, fast());
  ASSERT_OK(client);
  client->start();
  ASSERT_TRUE(run_loop_until(*loop, 2s, [&] { return ev.opens == 1; }));
  client->stop();
  ASSERT_EQ(ev.closes.size(), 1u);
  EXPECT_EQ(ev.closes[0], make_error_code(failure::stopped));
  EXPECT_EQ(ev.gave_up, make_error_code(failure::stopped));
  run_loop_until(*loop, 100ms, [] { return false; });
  EXPECT_EQ(ev.opens, 1);  // no reconnect after stop
  EXPECT_EQ(client->connection(), nullptr);
}

TEST_F(ReconnectTest, BadTargetsAreClearErrorsNotCrashes) {
  auto loop = EventLoop::create();
  Events ev;
  auto s = fast();
  s.reconnect.max_attempts = 1;
  auto client = ReconnectingClient::create(*loop, "no port here", ev, s);
  ASSERT_OK(client);
  client->start();
  ASSERT_TRUE(run_loop_until(*loop, 1s, [&] { return bool(ev.gave_up); }));
  EXPECT_EQ(classify(ev.gave_up), errc::invalid_argument) << ev.gave_up.message();
}

}  // namespace
}  // namespace sockkit::test
