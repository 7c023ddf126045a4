// SPDX-License-Identifier: MIT
// Dialing by name on a real loop: one deadline over resolution, connect and
// the TLS handshake; a slow or dropped AAAA answer does not hold up IPv4;
// every failed attempt, resolution included, is reported. The RFC 8305
// timings themselves are checked with a fake clock in unit/dial_plan_test.cpp.
#include "support/resolver_fixture.hpp"

namespace sockkit::test {
namespace {

struct Outcome : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
  void on_open(Connection&) override { ++opened; }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    ++failed;
    last_failure = why;
  }
  int opened = 0, failed = 0;
  std::error_code last_failure;
};

// Accepts, reads what comes and never answers: a TLS server that never replies
// to the ClientHello. Counts the connections the client has closed.
struct SilentPeer : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
  void on_open(Connection&) override { ++accepted; }
  void on_close(Connection&, std::error_code) override { ++closed; }
  int accepted = 0, closed = 0;
};

struct Quietly : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
};

std::shared_ptr<TlsContext> slow_handshake_tls() {
  auto ctx = TlsContext::client({.handshake_timeout = std::chrono::minutes(1),
                                 .insecure_skip_verify = true});  // never gets that far
  return ctx ? *ctx : nullptr;
}

TEST_F(ResolverTest, ByNameConnectsOnTheIpvFourAnswerWhenAaaaIsDropped) {
  Quietly quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);
  ASSERT_OK(server);
  primary->add({"half.test", 1, "127.0.0.1", 60});
  primary->add({"half.test", 28, "::1", 60});
  primary->aaaa_delay = std::chrono::hours(1);  // the AAAA answer never comes in time
  make(config({primary->endpoint()}, 5s));      // and the resolver would wait 5 s per try
  Outcome out;
  auto client = Client::create(*loop, out);
  ASSERT_OK(client);
  ASSERT_OK(client->connect("half.test:" + std::to_string(server->local_endpoint().port()), 2s,
                            {.resolver = &*resolver}));
  loop->run_until([&] { return out.opened + out.failed > 0; }, EventLoop::Clock::now() + 5s);
  EXPECT_EQ(out.opened, 1) << "failed with " << out.last_failure.message();
  EXPECT_EQ(client->pending(), 0u);
  EXPECT_EQ(resolver->pending(), 0u) << "the AAAA lookup goes once the dial is won";
}

// milliseconds::max() is "no limit" by name as by address, not an overflow
// into a deadline in the past.
TEST_F(ResolverTest, ByNameTheLongestTimeoutIsNoLimit) {
  Quietly quiet;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), quiet);
  ASSERT_OK(server);
  primary->add({"forever.test", 1, "127.0.0.1", 60});
  make(config({primary->endpoint()}, 5s));
  Outcome out;
  auto client = Client::create(*loop, out);
  ASSERT_OK(client);
  ASSERT_OK(client->connect("forever.test:" + std::to_string(server->local_endpoint().port()),
                            std::chrono::milliseconds::max(), {.resolver = &*resolver}));
  loop->run_until([&] { return out.opened + out.failed > 0; }, EventLoop::Clock::now() + 5s);
  EXPECT_EQ(out.opened, 1) << "failed with " << out.last_failure.message();
}

TEST_F(ResolverTest, TlsHandshakeEndsAtTheConnectDeadline) {
  auto tls = slow_handshake_tls();
  if (!tls) GTEST_SKIP() << "no TLS backend in this build";
  SilentPeer peer;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), peer);
  ASSERT_OK(server);
  primary->add({"silent.test", 1, "127.0.0.1", 60});
  make(config({primary->endpoint()}));
  const std::string port = std::to_string(server->local_endpoint().port());
  for (const std::string& target : {"127.0.0.1:" + port, "silent.test:" + port}) {
    Outcome out;
    auto client = Client::create(*loop, out);
    ASSERT_OK(client);
    ASSERT_OK(client->connect(target, 300ms, {.tls = tls, .resolver = &*resolver}));
    // The context's own handshake limit is a minute: only the connect's deadline can end it.
    loop->run_until([&] { return out.failed > 0; }, EventLoop::Clock::now() + 5s);
    EXPECT_EQ(out.failed, 1) << target;
    EXPECT_EQ(out.last_failure, errc::timed_out) << target << ": " << out.last_failure.message();
    EXPECT_EQ(out.opened, 0);
  }
  loop->run_until([&] { return peer.closed == peer.accepted; }, EventLoop::Clock::now() + 2s);
  EXPECT_EQ(peer.accepted, 2);
  EXPECT_EQ(peer.closed, 2) << "every timed-out handshake closed its socket";
}

struct LinkWatch : ReconnectingHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
  void on_connect_failed(const Endpoint& to, std::error_code why) override {
    failures.push_back(why);
    failed_at.push_back(to);
  }
  void on_given_up(std::error_code why) override { gave_up = why; }
  std::vector<std::error_code> failures;
  std::vector<Endpoint> failed_at;
  std::error_code gave_up;
};

TEST_F(ResolverTest, ReconnectingClientReportsEveryUnresolvedAttempt) {
  make(config({primary->endpoint()}));  // NXDOMAIN for anything not in its table
  LinkWatch watch;
  ReconnectingOptions s;
  s.resolver = &*resolver;
  s.reconnect = {.initial = 10ms, .max = 10ms, .jitter = 0};  // max_attempts 0: never gives up
  auto link = ReconnectingClient::create(*loop, "nowhere.test:1883", watch, s);
  ASSERT_OK(link);
  link->start();
  loop->run_until([&] { return watch.failures.size() >= 2; }, EventLoop::Clock::now() + 5s);
  ASSERT_GE(watch.failures.size(), 2u) << "each failed resolution is reported";
  EXPECT_EQ(watch.failures[0], failure::name_not_found) << watch.failures[0].message();
  EXPECT_EQ(watch.failures[0], errc::name_not_resolved);
  EXPECT_EQ(watch.failed_at[0], Endpoint{}) << "no address was tried";
  EXPECT_FALSE(watch.gave_up);
}

TEST_F(ResolverTest, ReconnectingAttemptThatTimesOutClosesItsHandshake) {
  auto tls = slow_handshake_tls();
  if (!tls) GTEST_SKIP() << "no TLS backend in this build";
  SilentPeer peer;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), peer);
  ASSERT_OK(server);
  LinkWatch watch;
  ReconnectingOptions s;
  s.connect_timeout = 300ms;
  s.tls = tls;
  s.reconnect = {.initial = 10ms, .max = 10ms, .jitter = 0, .max_attempts = 2};
  auto link = ReconnectingClient::create(
      *loop, "127.0.0.1:" + std::to_string(server->local_endpoint().port()), watch, s);
  ASSERT_OK(link);
  link->start();
  loop->run_until([&] { return bool(watch.gave_up); }, EventLoop::Clock::now() + 5s);
  EXPECT_EQ(watch.gave_up, errc::timed_out) << watch.gave_up.message();
  EXPECT_EQ(watch.failures.size(), 2u) << "one report per attempt, none charged to a later one";
  loop->run_until([&] { return peer.accepted > 0 && peer.closed == peer.accepted; },
                  EventLoop::Clock::now() + 2s);
  EXPECT_EQ(peer.accepted, 2);
  EXPECT_EQ(peer.closed, peer.accepted) << "a timed-out attempt leaves no handshake running";
}

#if !SOCKKIT_WEBSOCKET
// A build without the web transports (SOCKKIT_WEBSOCKET=OFF) refuses them
// when asked, before anything connects.
TEST(WebTransportsNotBuilt, AWebSocketOrAProxyIsNotSupported) {
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  struct : ConnectionHandler {
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
  } quiet;
  auto client = Client::create(*loop, quiet);
  ASSERT_OK(client);
  EXPECT_ERRC(check_websocket_options({}), errc::not_supported);
  EXPECT_ERRC(client->connect(Endpoint::loopback_v4(9), 1s, {.websocket = WebSocketOptions{}}),
              errc::not_supported);
  EXPECT_ERRC(client->connect("localhost:9", 1s, {.proxy = HttpProxy{.address = "127.0.0.1:3128"}}),
              errc::not_supported);
  EXPECT_EQ(client->pending(), 0u);
}
#endif

}  // namespace
}  // namespace sockkit::test
