// SPDX-License-Identifier: MIT
// Everything that takes a host name, resolving on the loop: ReconnectingClient
// (one deadline for lookup and connect, Happy Eyeballs), Client::connect by
// name (addresses in turn), and the blocking TcpStream::connect.
#include "support/resolver_fixture.hpp"

namespace sockkit::test {
namespace {

struct LinkEvents : ReconnectingHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
  void on_open(Connection& c) override {
    if (auto p = c.peer()) opened_to = *p;
  }
  void on_connecting(unsigned, const std::vector<Endpoint>& to) override { addresses = to; }
  void on_given_up(std::error_code why) override { gave_up = why; }
  std::optional<Endpoint> opened_to;
  std::vector<Endpoint> addresses;
  std::error_code gave_up;
};

struct Quiet : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
};

TEST_F(ResolverTest, ReconnectingClientResolvesOnTheLoop) {
  Quiet quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);
  ASSERT_OK(server);
  primary->add({"broker.test", 1, "127.0.0.1", 60});
  make(config({primary->endpoint()}));
  LinkEvents ev;
  ReconnectingOptions s;
  s.resolver = &*resolver;
  auto link = ReconnectingClient::create(
      *loop, "broker.test:" + std::to_string(server->local_endpoint().port()), ev, s);
  ASSERT_OK(link);
  link->start();
  loop->run_until([&] { return ev.opened_to.has_value(); }, EventLoop::Clock::now() + 3s);
  ASSERT_TRUE(ev.opened_to.has_value());
  EXPECT_EQ(ev.opened_to->address_string(), "127.0.0.1");
  EXPECT_EQ(primary->names_asked.front(), "broker.test");
}

TEST_F(ResolverTest, OneDeadlineCoversResolutionAndConnect) {
  primary->behaviour = DnsBehaviour::silent;
  make(config({primary->endpoint()}, 5s));
  LinkEvents ev;
  ReconnectingOptions s;
  s.resolver = &*resolver;
  s.connect_timeout = 300ms;
  s.reconnect.max_attempts = 1;
  auto link = ReconnectingClient::create(*loop, "broker.test:1883", ev, s);
  ASSERT_OK(link);
  link->start();
  loop->run_until([&] { return bool(ev.gave_up); }, EventLoop::Clock::now() + 3s);
  EXPECT_EQ(ev.gave_up, make_error_code(failure::resolve_timeout));
  EXPECT_EQ(ev.gave_up, errc::timed_out);
  EXPECT_TRUE(ev.addresses.empty());
  EXPECT_EQ(resolver->pending(), 0u);  // the lookup went with the attempt
}

TEST_F(ResolverTest, NegativeConnectTimeoutSetsNoLimitOfOurs) {
  Quiet quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);
  ASSERT_OK(server);
  primary->add({"broker.test", 1, "127.0.0.1", 60});
  primary->delay = 50ms;  // the lookup is still open when a zero deadline would fire
  make(config({primary->endpoint()}));
  LinkEvents ev;
  ReconnectingOptions s;
  s.resolver = &*resolver;
  s.connect_timeout = std::chrono::milliseconds(-1);
  s.reconnect.max_attempts = 1;
  auto link = ReconnectingClient::create(
      *loop, "broker.test:" + std::to_string(server->local_endpoint().port()), ev, s);
  ASSERT_OK(link);
  link->start();
  loop->run_until([&] { return ev.opened_to.has_value() || bool(ev.gave_up); },
                  EventLoop::Clock::now() + 3s);
  EXPECT_TRUE(ev.opened_to.has_value()) << ev.gave_up.message();
}

// RFC 8305 section 3: an IPv4 answer first waits the resolution delay for
// IPv6; an IPv6 answer later than that joins a race that has already started.
TEST_F(ResolverTest, IpV4AnswerWaitsTheResolutionDelayForIpV6) {
  if (!has_ipv6()) GTEST_SKIP() << "no IPv6 on this stack";
  Quiet quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);
  ASSERT_OK(server);
  const auto port = std::to_string(server->local_endpoint().port());
  primary->add({"dual.test", 28, "::1", 60});
  primary->add({"dual.test", 1, "127.0.0.1", 60});
  make(config({primary->endpoint()}), {.cache_entries = 0});
  for (auto [aaaa_delay, v6_first] : {std::pair{20ms, true}, std::pair{300ms, false}}) {
    SCOPED_TRACE(aaaa_delay.count());
    primary->aaaa_delay = aaaa_delay;
    LinkEvents ev;
    ReconnectingOptions s;
    s.resolver = &*resolver;
    s.resolution_delay = 100ms;
    auto link = ReconnectingClient::create(*loop, "dual.test:" + port, ev, s);
    ASSERT_OK(link);
    link->start();
    loop->run_until([&] { return ev.opened_to.has_value(); }, EventLoop::Clock::now() + 3s);
    ASSERT_FALSE(ev.addresses.empty());
    EXPECT_EQ(ev.addresses.front().family() == Family::ipv6, v6_first);
    EXPECT_EQ(ev.addresses.size(),
              v6_first ? 2u : 1u);  // the late IPv6 answer came after the start
  }
}

TEST_F(ResolverTest, HappyEyeballsFallsBackToTheOtherFamily) {
  if (!has_ipv6()) GTEST_SKIP() << "no IPv6 on this stack";
  Quiet quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);  // IPv4 only
  ASSERT_OK(server);
  const auto port = server->local_endpoint().port();
  primary->add({"dual.test", 28, "::1", 60});
  primary->add({"dual.test", 1, "127.0.0.1", 60});
  make(config({primary->endpoint()}));
  LinkEvents ev;
  ReconnectingOptions s;
  s.resolver = &*resolver;
  auto link = ReconnectingClient::create(*loop, "dual.test:" + std::to_string(port), ev, s);
  ASSERT_OK(link);
  link->start();
  loop->run_until([&] { return ev.opened_to.has_value(); }, EventLoop::Clock::now() + 3s);
  ASSERT_TRUE(ev.opened_to.has_value());
  EXPECT_EQ(ev.opened_to->address_string(), "127.0.0.1");
  ASSERT_FALSE(ev.addresses.empty());
  EXPECT_EQ(ev.addresses.front().family(), Family::ipv6);  // IPv6 asked and tried first
}

struct ClientEvents : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
  void on_open(Connection& c) override {
    if (auto p = c.peer()) opened_to = *p;
  }
  void on_connect_failed(const Endpoint& to, std::error_code why) override {
    failed_to = to;
    failure = why;
    ++failures;
  }
  std::optional<Endpoint> opened_to;
  Endpoint failed_to;
  std::error_code failure;
  int failures = 0;
};

TEST_F(ResolverTest, ClientConnectsByNameTryingAddressesInTurn) {
  Quiet quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);
  ASSERT_OK(server);
  const auto port = server->local_endpoint().port();
  // 127.0.0.2 has no listener on that port (refused, or silent on lwIP): the
  // client goes on to 127.0.0.1 and reports only the success.
  primary->add({"svc.test", 1, "127.0.0.2", 60});
  primary->add({"svc.test", 1, "127.0.0.1", 60});
  make(config({primary->endpoint()}));
  ClientEvents ev;
  auto client = Client::create(*loop, ev);
  ASSERT_OK(client);
  ASSERT_OK(client->connect("svc.test:" + std::to_string(port), 2s, {.resolver = &*resolver}));
  EXPECT_EQ(client->pending(), 1u);  // the lookup
  loop->run_until([&] { return ev.opened_to || ev.failures > 0; }, EventLoop::Clock::now() + 3s);
  ASSERT_TRUE(ev.opened_to.has_value()) << ev.failure.message();
  EXPECT_EQ(ev.opened_to->to_string(), "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(ev.failures, 0);
}

TEST_F(ResolverTest, ClientByNameReportsLookupFailuresClearly) {
  primary->behaviour = DnsBehaviour::answer;
  make(config({primary->endpoint()}, 5s));
  ClientEvents ev;
  auto client = Client::create(*loop, ev);
  ASSERT_OK(client);
  ASSERT_OK(client->connect("missing.test:80", 2s, {.resolver = &*resolver}));
  loop->run_until([&] { return ev.failures > 0; }, EventLoop::Clock::now() + 3s);
  EXPECT_EQ(ev.failure, make_error_code(failure::name_not_found));
  EXPECT_EQ(ev.failed_to.family(), Family::none);

  primary->behaviour = DnsBehaviour::silent;  // the timeout covers the lookup
  ev.failures = 0;
  ASSERT_OK(client->connect("slow.test:80", 300ms, {.resolver = &*resolver}));
  loop->run_until([&] { return ev.failures > 0; }, EventLoop::Clock::now() + 3s);
  EXPECT_EQ(ev.failure, errc::timed_out);

  ev.failures = 0;  // cancelled: nothing is reported
  ASSERT_OK(client->connect("slow.test:80", 300ms, {.resolver = &*resolver}));
  client->cancel_pending();
  EXPECT_EQ(client->pending(), 0u);
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 400ms);
  EXPECT_EQ(ev.failures, 0);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST_F(ResolverTest, BlockingConnectCountsResolutionInItsTimeout) {
  // The system's resolver: a name nobody can answer for within the timeout
  // ends as timed_out or name_not_resolved, never later than the timeout.
  auto r = TcpStream::connect("localhost:1", 2s);
  EXPECT_FALSE(r);  // resolved through the hosts rules; nothing listens on port 1
  EXPECT_NE(classify(r.error()), errc::name_not_resolved) << r.error().message();
}

}  // namespace
}  // namespace sockkit::test
