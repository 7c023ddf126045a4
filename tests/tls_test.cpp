// SPDX-License-Identifier: MIT
// The TLS conformance suite: the same tests against every TLS backend in this
// build (as the poller suite runs against every poller), each side of each
// connection on the backend under test, plus the two backends against each
// other. Certificates are made at test time (support/test_pki). This file:
// connections over TLS behave as plain ones; tls_verify_test.cpp: certificates.
#include <algorithm>
#include <fstream>

#include "support/quiet_handshakers.hpp"
#include "support/tls_suite.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

TEST_P(TlsSuite, EchoesAMegabyteWithTheSameHandlerCodeAsPlain) {
  server_side.echo = true;
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  ASSERT_EQ(client_side.opened, 1)
      << (client_side.connect_failures.empty() ? "" : client_side.connect_failures[0].message());
  // TLS 1.3: the client is done one flight before the server.
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.opened == 1; }));
  EXPECT_EQ(client_side.last_info.version.substr(0, 4), "TLSv");
  EXPECT_FALSE(client_side.last_info.cipher.empty());
  if (names_peer(GetParam().client)) {
    EXPECT_NE(client_side.last_info.peer_subject.find("localhost"), std::string::npos)
        << client_side.last_info.peer_subject;
  }
  std::string payload(1 << 20, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>('a' + i % 26);
  Connection* conn = client->find(client_side.id);
  ASSERT_TRUE(conn);
  ASSERT_OK(conn->send(payload));
  ASSERT_TRUE(run_loop_until(*loop, 10s, [&] {
    return client_side.received.size() >= payload.size();
  })) << client_side.received.size();
  EXPECT_EQ(client_side.received, payload);
}

// The peer's failure as the client sees it, and the server's count of it.
TEST_P(TlsSuite, AlpnAgreesOnTheServersChoice) {
  TlsOptions sopts = server_options();
  sopts.alpn = {"mqtt"};
  TlsOptions copts = client_options();
  copts.alpn = {"x-other", "mqtt"};
  start(sopts, copts);
  ASSERT_TRUE(settled());
  EXPECT_EQ(client_side.last_info.alpn, "mqtt");
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.opened == 1; }));
  EXPECT_EQ(server_side.last_info.alpn, "mqtt");
}

TEST_P(TlsSuite, ASecondConnectResumesTheSession) {
  server_side.greeting = "hello";  // the server speaks: TLS 1.3 tickets ride along
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.received == "hello"; }));
  const TlsInfo full = client_side.last_info;
  EXPECT_FALSE(full.resumed);
  EXPECT_GE(full.handshake_round_trips, 1u);
  EXPECT_GT(full.handshake_bytes_received, 300u);  // a certificate came
  connect();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.opened == 2; }));
  const TlsInfo resumed = client_side.last_info;
  EXPECT_TRUE(resumed.resumed);
  // No certificate this time, and never more round trips than in full.
  EXPECT_LT(resumed.handshake_bytes_received, full.handshake_bytes_received);
  EXPECT_LE(resumed.handshake_round_trips, full.handshake_round_trips);
  std::printf(
      "full: %u round trips, %llu bytes sent, %llu received; resumed: %u, %llu, %llu\n",
      full.handshake_round_trips, static_cast<unsigned long long>(full.handshake_bytes_sent),
      static_cast<unsigned long long>(full.handshake_bytes_received), resumed.handshake_round_trips,
      static_cast<unsigned long long>(resumed.handshake_bytes_sent),
      static_cast<unsigned long long>(resumed.handshake_bytes_received));
}

TEST_P(TlsSuite, ACleanCloseIsNotTruncation) {
  server_side.close_after = 4;
  server_side.close_with = make_error_code(failure::stopped);  // close() without an error
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  ASSERT_OK(client->find(client_side.id)->send("ping"));
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.closed == 1; }));
  EXPECT_FALSE(client_side.close_reasons[0]) << client_side.close_reasons[0].message();
}

TEST_P(TlsSuite, ClosingWithoutCloseNotifyIsTruncation) {
  server_side.close_after = 4;
  server_side.close_with = make_error_code(failure::frame_too_large);  // an error: no close_notify
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  ASSERT_OK(client->find(client_side.id)->send("ping"));
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.closed == 1; }));
  EXPECT_TRUE(client_side.close_reasons[0] == errc::tls_truncated)
      << client_side.close_reasons[0].message();
}

TEST_P(TlsSuite, GarbageInsteadOfAClientHelloIsCountedAndClosed) {
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  auto raw = TcpStream::connect(server->local_endpoint(), 2s);
  ASSERT_OK(raw);
  ASSERT_OK(raw->write_all(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 2s));
  ASSERT_TRUE(
      run_loop_until(*loop, 5s, [&] { return server->stats().tls_handshake_failures == 1; }));
  EXPECT_EQ(server_side.opened, 1);  // the first, real client only
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().open == 1; }));
}

TEST_P(TlsSuite, GarbageInsteadOfAServerHelloIsAProtocolError) {
  struct Garbage : ConnectionHandler {
    Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
      (void)c.send(std::string(64, '\x42'));
      return d.size();
    }
  } garbage;
  auto plain = Server::start(*loop, Endpoint::loopback_v4(0), garbage);
  ASSERT_OK(plain);
  auto cctx = TlsContext::client(client_options());
  ASSERT_OK(cctx);
  auto c = Client::create(*loop, client_side);
  ASSERT_OK(c);
  client = std::move(*c);
  ASSERT_OK(client->connect(plain->local_endpoint(), 5s, {.tls = *cctx}));
  ASSERT_TRUE(settled());
  ASSERT_EQ(client_side.connect_failures.size(), 1u);
  EXPECT_TRUE(client_side.connect_failures[0] == errc::tls_protocol_error)
      << client_side.connect_failures[0].message();
}

TEST_P(TlsSuite, AHandshakeNeverFinishedIsClosedAtItsDeadline) {
  TlsOptions sopts = server_options();
  sopts.handshake_timeout = 200ms;
  start(sopts, client_options());
  ASSERT_TRUE(settled());
  auto silent = TcpStream::connect(server->local_endpoint(), 2s);
  ASSERT_OK(silent);
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().open == 2; }));
  ASSERT_TRUE(
      run_loop_until(*loop, 5s, [&] { return server->stats().tls_handshake_timeouts == 1; }));
  EXPECT_EQ(server->stats().open, 1u);
  char byte;
  ASSERT_OK(silent->set_receive_timeout(2s));
  auto n = silent->receive(std::span<char>(&byte, 1));
  EXPECT_TRUE(!n || *n == 0) << "the silent peer was closed";
}

TEST_P(TlsSuite, AHandshakeWithoutATimerIsRefusedAndCounted) {
  // Four timers: the server keeps two, the client one; the client's connect
  // timer, then its handshake timer, take the last, so the server's side of
  // the handshake finds none.
  for (const std::size_t max_timers : {std::size_t{4}, std::size_t{5}}) {
    client.reset();
    server.reset();
    auto l = EventLoop::create({.max_timers = max_timers});
    ASSERT_OK(l);
    loop = std::move(*l);
    start(server_options(), client_options());
    if (max_timers == 4) {
      ASSERT_TRUE(
          run_loop_until(*loop, 5s, [&] { return server->stats().rejected_no_timer == 1; }));
      ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return !client_side.connect_failures.empty(); }));
      EXPECT_EQ(server_side.opened, 0);
    } else {
      EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.opened == 1; }))
          << "with a fifth timer the handshake has its deadline";
      EXPECT_EQ(server->stats().rejected_no_timer, 0u);
    }
  }
}

TEST_P(TlsSuite, HandshakingConnectionsCountAgainstTheLimit) {
  ServerOptions limited;
  limited.max_connections = 1;
  start(server_options(), client_options(), limited);
  ASSERT_TRUE(settled());
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.opened == 1; }));
  auto second = TcpStream::connect(server->local_endpoint(), 2s);
  ASSERT_OK(second);
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().rejected_over_limit == 1; }));
}

/// Quiet handshakers with the server on this loop, which answers each hello.
std::vector<TcpStream> quiet_peers(EventLoop& loop, const Endpoint& server,
                                   std::span<const std::byte> hello, int count) {
  return quiet_handshakers(server, hello, count,
                           [&] { run_loop_until(loop, 5ms, [] { return false; }); });
}

TEST_P(TlsSuite, QuietHandshakersGiveWayToANewClientAtTheLimit) {
  ServerOptions limited;
  limited.max_connections = 4;
  start(server_options(), client_options(), limited);
  ASSERT_TRUE(settled());
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.opened == 1; }));
  auto hello = capture_client_hello(*loop, *client, client_tls);
  ASSERT_FALSE(hello.empty());
  auto quiet = quiet_peers(*loop, server->local_endpoint(), hello, 5);
  ASSERT_EQ(quiet.size(), 5u);
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().accepted == 6; }));
  // Five quiet peers on three free places: the two oldest gave way.
  EXPECT_EQ(server->stats().tls_handshakes_displaced, 2u);
  EXPECT_EQ(server->stats().open, 4u);
  // A real client at the limit gets in at once, not after the quiet ones' deadline.
  connect();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.opened == 2; }))
      << client_side.connect_failures.size() << " failed connects";
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.opened == 2; }));
  EXPECT_EQ(server_side.closed, 0) << "the established connection stays";
  EXPECT_EQ(server->stats().rejected_over_limit, 0u);
  EXPECT_EQ(server->stats().tls_handshakes_displaced, 3u);
  std::vector<char> flight(16 << 10);
  ASSERT_OK(quiet[0].set_receive_timeout(2s));
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {  // its ServerHello first, then the end
    auto n = quiet[0].receive(std::span(flight));
    closed = !n || *n == 0;
  }
  EXPECT_TRUE(closed) << "the oldest quiet peer was the one closed";
}

// After bursts of quiet handshakers the server is back to its size, within
// the project's 2 MiB: the TLS library's freed handshake state is handed back
// to the system (it stayed with the C library: +19 MB after 1,000 with OpenSSL).
TEST_P(TlsSuite, MemoryReturnsAfterBurstsOfQuietHandshakers) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers keep freed memory (quarantine)";
#endif
#ifdef SOCKKIT_TESTS_EMULATED
  GTEST_SKIP() << "hundreds of handshakes under qemu-user: the native run checks this";
#endif
  if (GetParam().server != GetParam().client) GTEST_SKIP() << "one backend is enough";
  TlsOptions sopts = server_options();
  sopts.handshake_timeout = 30s;
  start(sopts, client_options());
  ASSERT_TRUE(settled());
  auto hello = capture_client_hello(*loop, *client, client_tls);
  ASSERT_FALSE(hello.empty());
  auto rss_kb = [] {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0L;
  };
  // lwIP's pools hold both ends of about 60 connections in this process.
  int peers = std::string_view(stack_name()).starts_with("lwip") ? 40 : 200;
  // Each handshake holds a timer: a build with slots built in keeps a few for the loop.
#if SOCKKIT_TIMER_CAPACITY > 0
  peers = std::min(peers, SOCKKIT_TIMER_CAPACITY - 4);
#endif
  const long baseline = rss_kb();
  for (int burst = 0; burst < 3; ++burst) {
    auto quiet = quiet_peers(*loop, server->local_endpoint(), hello, peers);
    ASSERT_EQ(quiet.size(), static_cast<std::size_t>(peers));
    ASSERT_TRUE(run_loop_until(
        *loop, 10s, [&] { return server->stats().open >= static_cast<std::size_t>(peers) + 1; }));
    quiet.clear();
    ASSERT_TRUE(run_loop_until(*loop, 10s, [&] { return server->stats().open == 1; }));
    if (burst == 2) {
      const long grown = rss_kb() - baseline;
      std::printf("RSS %ld kB before, %+ld kB after three bursts\n", baseline, grown);
      EXPECT_LE(grown, 2048) << "kB kept after bursts of quiet handshakers";
    }
  }
}

TEST_P(TlsSuite, BackpressureWorksAsOnPlainConnections) {
  server_side.echo = true;
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  // A client that may queue all it sends: past the kernel's buffers (several
  // MB over loopback) the echoes pile up in the server's queue.
  auto roomy =
      Client::create(*loop, client_side, {.max_write_queue = 64 << 20, .high_watermark = 64 << 20});
  ASSERT_OK(roomy);
  client = std::move(*roomy);
  connect();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.opened == 2; }));
  Connection* conn = client->find(client_side.id);
  ASSERT_TRUE(conn);
  conn->pause_reading();  // the client stops reading: the server's queue must fill
  const std::string block(1 << 20, 'q');
  for (int i = 0; i < 24; ++i)
    ASSERT_OK(conn->send(block));
  ASSERT_TRUE(run_loop_until(*loop, 10s, [&] { return server_side.high_marks >= 1; }));
  conn->resume_reading();
  ASSERT_TRUE(run_loop_until(*loop, 20s, [&] {
    return client_side.received.size() == 24 * block.size();
  })) << client_side.received.size();
  EXPECT_EQ(client_side.received, std::string(24 * block.size(), 'q'));
}

TEST_P(TlsSuite, HalfCloseFinishesTheEchoBeforeTheClose) {
  server_side.echo = true;  // default on_peer_closed: finish sending, then close
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  Connection* conn = client->find(client_side.id);
  ASSERT_TRUE(conn);
  ASSERT_OK(conn->send(std::string(100000, 'h')));
  conn->shutdown_write();  // close_notify, then FIN: the server still answers
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.closed == 1; }));
  EXPECT_EQ(client_side.received, std::string(100000, 'h'));
  EXPECT_FALSE(client_side.close_reasons[0]) << client_side.close_reasons[0].message();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.closed == 1; }));
  EXPECT_FALSE(server_side.close_reasons[0]) << server_side.close_reasons[0].message();
}

TEST_P(TlsSuite, TheIdleTimeoutClosesASilentTlsConnection) {
  ServerOptions sopts;
  sopts.limits.idle_timeout = 200ms;
  start(server_options(), client_options(), sopts);
  ASSERT_TRUE(settled());
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server_side.closed == 1; }));
  EXPECT_TRUE(server_side.close_reasons[0] == make_error_code(failure::idle_timeout))
      << server_side.close_reasons[0].message();
  EXPECT_EQ(server->stats().idle_closed, 1u);
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return client_side.closed == 1; }));
}

// A TLS peer that is always faster than the handler must not starve timers:
// records decrypted but not yet read are requeued, never read in one go.
TEST_P(TlsSuite, AFloodingTlsPeerDoesNotStarveTimers) {
  struct Flooded : ConnectionHandler {
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      ++reads;
      if (flooder != nullptr && std::chrono::steady_clock::now() < stop_at)
        (void)flooder->send(block);
      return d.size();
    }
    Connection* flooder = nullptr;
    std::chrono::steady_clock::time_point stop_at;
    std::string block = std::string(64 << 10, 'f');
    long reads = 0;
  } flooded;
  auto sctx = TlsContext::server(server_options());
  ASSERT_OK(sctx);
  ServerOptions sopts;
  sopts.tls = *sctx;
  auto s = Server::start(*loop, Endpoint::loopback_v4(0), flooded, sopts);
  ASSERT_OK(s);
  auto cctx = TlsContext::client(client_options());
  ASSERT_OK(cctx);
  auto c =
      Client::create(*loop, client_side, {.max_write_queue = 64 << 20, .high_watermark = 64 << 20});
  ASSERT_OK(c);
  client = std::move(*c);
  ASSERT_OK(client->connect(s->local_endpoint(), 5s, {.tls = *cctx}));
  ASSERT_TRUE(settled());
  flooded.flooder = client->find(client_side.id);
  ASSERT_TRUE(flooded.flooder);
  flooded.stop_at = std::chrono::steady_clock::now() + 3s;  // the flood ends by itself
  bool fired = false, fired_during_flood = false;
  loop->add_timer(10ms, [&] {
    fired = true;
    fired_during_flood = std::chrono::steady_clock::now() < flooded.stop_at;
  });
  ASSERT_OK(flooded.flooder->send(flooded.block));
  EXPECT_TRUE(run_loop_until(*loop, 10s, [&] { return fired; }));
  EXPECT_TRUE(fired_during_flood) << "the timer waited for the flood to end";
  EXPECT_GT(flooded.reads, 0);
  flooded.flooder = nullptr;
}

TEST_P(TlsSuite, AServerContextNeedsACertificate) {
  auto none = TlsContext::server({.backend = GetParam().server});
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error() == errc::invalid_argument);
  auto missing = TlsContext::server({.backend = GetParam().server,
                                     .certificate_file = pki.dir() + "/missing.pem",
                                     .private_key_file = pki.key("server")});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), make_error_code(failure::tls_file_unreadable));
  auto mismatched = TlsContext::server({.backend = GetParam().server,
                                        .certificate_file = pki.cert("server"),
                                        .private_key_file = pki.key("client")});
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error(), make_error_code(failure::tls_key_mismatch));
}

// One message per cause: a file that is not PEM, a CA that is missing, a
// name-less verifying connect, a server context used to connect.
TEST_P(TlsSuite, EachTlsConfigurationFailureSaysWhatIsWrong) {
  const std::string not_pem = pki.dir() + "/not-pem.txt";
  std::ofstream(not_pem) << "this is not a certificate\n";
  auto garbage = TlsContext::client({.backend = GetParam().client, .ca_file = not_pem});
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error(), make_error_code(failure::tls_file_unreadable));
  auto missing = TlsContext::client({.backend = GetParam().client, .ca_file = pki.dir() + "/nope"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), make_error_code(failure::tls_file_unreadable));

  TlsOptions nameless = client_options();
  nameless.server_name.clear();
  start(server_options(), nameless);  // by address, with nothing to verify against
  ASSERT_TRUE(settled());
  ASSERT_EQ(client_side.connect_failures.size(), 1u);
  EXPECT_EQ(client_side.connect_failures[0], make_error_code(failure::tls_no_server_name))
      << client_side.connect_failures[0].message();

  auto server_ctx = TlsContext::server(server_options());
  ASSERT_OK(server_ctx);
  auto wrong = client->connect(server->local_endpoint(), 5s, {.tls = *server_ctx});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), make_error_code(failure::tls_wrong_role));
  for (auto code : {failure::tls_file_unreadable, failure::tls_key_mismatch,
                    failure::tls_no_server_name, failure::tls_wrong_role}) {
    const auto ec = make_error_code(code);
    EXPECT_TRUE(ec == errc::invalid_argument) << ec.message();
    EXPECT_EQ(ec.message().find("unreadable certificate, key or CA"), std::string::npos);
  }
}

TEST_P(TlsSuite, AReconnectingClientChecksTheHostOfItsTarget) {
  server_side.echo = true;
  start(server_options(), client_options());
  ASSERT_TRUE(settled());
  struct Link : ReconnectingHandler {
    void on_open(Connection& c) override {
      ++opened;
      if (auto i = c.tls_info()) info = *i;
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      got.append(reinterpret_cast<const char*>(d.data()), d.size());
      return d.size();
    }
    void on_connect_failed(const Endpoint&, std::error_code why) override {
      failures.push_back(why);
    }
    int opened = 0;
    std::string got;
    TlsInfo info;
    std::vector<std::error_code> failures;
  } link, wrong;
  auto ctx = TlsContext::client({.backend = GetParam().client, .ca_file = pki.ca()});
  ASSERT_OK(ctx);
  const std::string port = std::to_string(server->local_endpoint().port());
  // "localhost": the name in the certificate, taken from the target.
  ReconnectingOptions settings;
  settings.tls = *ctx;
  settings.resolve = [&] {
    return Result<std::vector<Endpoint>>(std::vector{server->local_endpoint()});
  };
  auto good = ReconnectingClient::create(*loop, "localhost:" + port, link, settings);
  ASSERT_OK(good);
  good->start();
  ASSERT_OK(good->send("over tls"));  // queued in the outbox until the handshake is done
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return link.got == "over tls"; }))
      << link.got << (link.failures.empty() ? "" : link.failures[0].message());
  EXPECT_EQ(link.opened, 1);
  // The same server under another name: refused, and retried later.
  auto bad = ReconnectingClient::create(*loop, "broker.example:" + port, wrong, settings);
  ASSERT_OK(bad);
  bad->start();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return !wrong.failures.empty(); }));
  EXPECT_TRUE(wrong.failures[0] == errc::tls_host_mismatch) << wrong.failures[0].message();
  EXPECT_EQ(wrong.opened, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsSuite, ::testing::ValuesIn(pairs()), name_of);

}  // namespace
}  // namespace sockkit::test
