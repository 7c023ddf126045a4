// SPDX-License-Identifier: MIT
// Regression tests for hostile peers and re-entrant handlers: each one failed
// on the code before its fix. Everything runs on the test thread (the loop and
// blocking peers), so the same tests run on lwIP's single-threaded rule.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/backend_loop.hpp"
#include "support/fixture.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

using Hardening = BackendLoopTest;

// A banner, then our write side shut in on_open; the peer reads EOF and closes.
// The connection must close once (both directions done), not report the
// peer's EOF again and again.
TEST_P(Hardening, HalfCloseOursFirstThenThePeersCloses) {
  struct Banner : ConnectionHandler {
    void on_open(Connection& c) override {
      (void)c.send("banner\n");
      c.shutdown_write();
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    void on_peer_closed(Connection& c) override {
      ++peer_closed;
      ConnectionHandler::on_peer_closed(c);
    }
    void on_close(Connection&, std::error_code why) override {
      ++closed;
      reason = why;
    }
    int peer_closed = 0, closed = 0;
    std::error_code reason;
  } banner;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), banner);
  ASSERT_OK(server);
  auto peer = TcpStream::connect(server->local_endpoint(), 5s);
  ASSERT_OK(peer);
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().accepted == 1; }));
  char buf[16];
  ASSERT_OK(peer->read_exact(std::span<char>(buf, 7), 5s));
  auto eof = peer->receive(std::span<char>(buf));
  ASSERT_OK(eof);
  EXPECT_EQ(*eof, 0u);
  ASSERT_OK(peer->close());
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return banner.closed == 1; }));
  for (int i = 0; i < 5; ++i)
    (void)loop->run_once(1ms);
  EXPECT_EQ(banner.closed, 1);
  EXPECT_EQ(banner.peer_closed, 1);
  EXPECT_FALSE(banner.reason) << banner.reason.message();
  EXPECT_EQ(server->stats().open, 0u);
}

struct Sink : ConnectionHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    return d.size();
  }
};

// More connections complete in the backlog than one accept batch takes, all
// before the loop first runs: every one is accepted (on edge-triggered epoll
// the listener is not reported again until a new connection arrives).
TEST_P(Hardening, ABacklogFilledBeforeTheLoopRunsIsAllAccepted) {
  Sink sink;
  constexpr std::size_t kPeers = 200;
  ServerOptions options;
  options.listen.backlog = 512;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), sink, options);
  ASSERT_OK(server);
  if (loop->descriptor_limit() > 0 &&
      static_cast<std::size_t>(loop->descriptor_limit()) < 2 * kPeers + 16)
    GTEST_SKIP() << "backend limited to " << loop->descriptor_limit() << " descriptors";
  std::vector<TcpStream> peers;
  for (std::size_t i = 0; i < kPeers; ++i) {
    auto p = TcpStream::connect(server->local_endpoint(), 5s);
    // lwIP's backlog is bounded by its PCB pool: it refuses past that.
    if (!p && (p.error() == errc::too_many_sockets || p.error() == errc::connection_refused)) break;
    ASSERT_OK(p);
    peers.push_back(std::move(*p));
  }
  if (peers.size() <= 64) GTEST_SKIP() << "the stack's backlog holds only " << peers.size();
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().accepted == peers.size(); }))
      << "accepted " << server->stats().accepted << " of " << peers.size();
}

// Peers that reset before the server accepted them are not accept errors: the
// listener must not back off, or new peers meet a full accept queue (on lwIP
// that means they are reset).
TEST_P(Hardening, PeersResetBeforeAcceptDoNotPauseAccepting) {
  Sink sink;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), sink);
  ASSERT_OK(server);
  for (int i = 0; i < 12; ++i) {
    auto p = TcpStream::connect(server->local_endpoint(), 5s);
    ASSERT_OK(p);
    ASSERT_OK(p->abort());
  }
  auto late = TcpStream::connect(server->local_endpoint(), 5s);
  ASSERT_OK(late);
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().open == 1; }))
      << "open " << server->stats().open;
  const ServerStats st = server->stats();
  EXPECT_EQ(st.accept_errors, 0u);
  EXPECT_EQ(st.accept_pauses, 0u);
}

// A peer that is always faster than the handler (every on_data tops its socket
// up again) must not starve timers or other connections.
TEST_P(Hardening, AFloodingPeerDoesNotStarveTimers) {
  struct Flooded : ConnectionHandler {
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      ++reads;
      if (flooder != nullptr && Clock::now() < stop_at) (void)flooder->send(block);
      return d.size();
    }
    TcpStream* flooder = nullptr;
    Clock::time_point stop_at;
    std::string block = std::string(16 << 10, 'f');
    long reads = 0;
  } flooded;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), flooded);
  ASSERT_OK(server);
  auto peer = TcpStream::connect(server->local_endpoint(), 5s);
  ASSERT_OK(peer);
  ASSERT_OK(peer->set_nonblocking(true));
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().accepted == 1; }));
  flooded.flooder = &*peer;
  flooded.stop_at = Clock::now() + 3s;  // the flood ends by itself: the test cannot hang
  bool fired_during_flood = false, fired = false;
  loop->add_timer(10ms, [&] {
    fired = true;
    fired_during_flood = Clock::now() < flooded.stop_at;
  });
  ASSERT_OK(peer->send(flooded.block));
  EXPECT_TRUE(run_loop_until(*loop, 10s, [&] { return fired; }));
  EXPECT_TRUE(fired_during_flood) << "the timer waited for the flood to end";
  EXPECT_GT(flooded.reads, 0);
}

// Peers that send without ever reading make their connections pause reading
// (an echo whose replies pile up); what those connections had received when
// they paused must not keep the others from being read. On io_uring every
// connection receives into one shared ring of buffers.
TEST_P(Hardening, PeersThatNeverReadDoNotStarveTheOthers) {
  struct PausingEcho : ConnectionHandler {
    Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
      if (auto st = c.send(d); !st) return st.error();
      return d.size();
    }
    void on_high_watermark(Connection& c) override { c.pause_reading(); }
    void on_drain(Connection& c) override { c.resume_reading(); }
  } echo;
  ServerOptions options;
  options.limits.high_watermark = 64 << 10;
  options.limits.low_watermark = 16 << 10;
  options.max_connections = 64;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo, options);
  ASSERT_OK(server);
  const std::string block(64 << 10, 'a');
  std::vector<TcpStream> silent;
  for (int i = 0; i < 40; ++i) {
    auto p = TcpStream::connect(server->local_endpoint(), 5s);
    ASSERT_OK(p);
    if (stack_supports(StackFeature::send_buffer_size)) {  // blocked sooner
      ASSERT_OK(p->set_receive_buffer_size(64 << 10));
      ASSERT_OK(p->set_send_buffer_size(64 << 10));
    }
    ASSERT_OK(p->set_nonblocking(true));
    silent.push_back(std::move(*p));
  }
  // Send until every one of them is blocked: its server side has paused and
  // the kernel's buffers in both directions are full.
  const auto start = Clock::now();
  for (bool any_sent = true; any_sent && elapsed_ms(start) < 5000;) {
    any_sent = false;
    for (auto& p : silent)
      any_sent |= p.send(block).has_value();
    (void)run_loop_until(*loop, 20ms, [] { return false; });
  }
  auto victim = TcpStream::connect(server->local_endpoint(), 5s);
  ASSERT_OK(victim);
  ASSERT_OK(victim->write_all("ping"));
  ASSERT_OK(victim->set_nonblocking(true));
  std::string echoed;
  EXPECT_TRUE(run_loop_until(*loop, 5s,
                             [&] {
                               char buf[16];
                               if (auto n = victim->receive(std::span<char>(buf)); n)
                                 echoed.append(buf, *n);
                               return echoed.size() >= 4;
                             }))
      << "a connection that reads was starved by " << silent.size() << " that do not";
  EXPECT_EQ(echoed, "ping");
}

// Connection ids are 64-bit and a departed connection's id is never handed to a newcomer.
TEST_P(Hardening, ConnectionIdsAreNeverReused) {
  struct Ids : ConnectionHandler {
    void on_open(Connection& c) override {
      ids.push_back(c.id());
      id_bytes = sizeof(decltype(c.id()));
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    std::vector<std::uint64_t> ids;
    std::size_t id_bytes = 0;
  } ids;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), ids);
  ASSERT_OK(server);
  for (int i = 0; i < 3; ++i) {
    auto p = TcpStream::connect(server->local_endpoint(), 5s);
    ASSERT_OK(p);
    ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().open == 1; }));
    ASSERT_OK(p->close());
    ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return server->stats().open == 0; }));
  }
  ASSERT_EQ(ids.ids.size(), 3u);
  EXPECT_EQ(ids.id_bytes, 8u);
  EXPECT_NE(ids.ids[0], ids.ids[1]);
  EXPECT_NE(ids.ids[1], ids.ids[2]);
  EXPECT_NE(ids.ids[0], ids.ids[2]);
}

// Destroying the Server from inside each of its connection callbacks is safe,
// and nothing of it calls back afterwards.
TEST_P(Hardening, DestroyingTheServerFromItsOwnCallbacksIsSafe) {
  enum class Where { open, data, peer_closed, close };
  for (Where where : {Where::open, Where::data, Where::peer_closed, Where::close}) {
    struct Killer : ConnectionHandler {
      void on_open(Connection&) override {
        if (where == Where::open) server.reset();
      }
      Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
        if (where == Where::data) server.reset();
        if (where == Where::close) c.close();
        return d.size();
      }
      void on_peer_closed(Connection& c) override {
        if (where == Where::peer_closed) server.reset();
        ConnectionHandler::on_peer_closed(c);
      }
      void on_close(Connection&, std::error_code) override {
        ++closes;
        if (where == Where::close) server.reset();
      }
      Where where = Where::open;
      std::optional<Server> server;
      int closes = 0;
    } killer;
    killer.where = where;
    auto server = Server::start(*loop, Endpoint::loopback_v4(0), killer);
    ASSERT_OK(server);
    killer.server = std::move(*server);
    auto p = TcpStream::connect(killer.server->local_endpoint(), 5s);
    ASSERT_OK(p);
    ASSERT_OK(p->write_all("x"));
    if (where == Where::peer_closed) ASSERT_OK(p->shutdown_write());
    EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return !killer.server; }))
        << "case " << static_cast<int>(where);
    const int closes = killer.closes;
    for (int i = 0; i < 3; ++i)
      (void)loop->run_once(1ms);
    EXPECT_EQ(killer.closes, closes) << "a callback after the server was destroyed";
  }
}

// A Client destroyed from its own on_open and on_connect_failed.
TEST_P(Hardening, DestroyingTheClientFromItsOwnCallbacksIsSafe) {
  struct Killer : ConnectionHandler {
    void on_open(Connection&) override {
      ++opened;
      client.reset();
    }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    void on_connect_failed(const Endpoint&, std::error_code) override {
      ++failed;
      client.reset();
    }
    std::optional<Client> client;
    int opened = 0, failed = 0;
  } killer;
  auto listener = listen_loopback(Family::ipv4);
  auto c = Client::create(*loop, killer);
  ASSERT_OK(c);
  killer.client = std::move(*c);
  ASSERT_OK(killer.client->connect(*listener.local_endpoint(), 5s));
  ASSERT_OK(killer.client->connect(*listener.local_endpoint(), 5s));
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return !killer.client; }));
  EXPECT_EQ(killer.opened, 1);

  const Endpoint dead = *listener.local_endpoint();
  ASSERT_OK(listener.close());
  c = Client::create(*loop, killer);
  ASSERT_OK(c);
  killer.client = std::move(*c);
  if (killer.client->connect(dead, 5s)) {
    EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return !killer.client; }));
    EXPECT_EQ(killer.failed, 1);
  }
}

// A ReconnectingClient destroyed from its own on_open and on_data.
TEST_P(Hardening, DestroyingAReconnectingClientFromItsOwnCallbacksIsSafe) {
  for (bool in_open : {true, false}) {
    struct Killer : ReconnectingHandler {
      void on_open(Connection& c) override {
        ++opened;
        if (in_open) return client.reset();
        (void)c.send("ping");
      }
      Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
        client.reset();
        return d.size();
      }
      bool in_open = true;
      int opened = 0;
      std::optional<ReconnectingClient> client;
    } killer;
    killer.in_open = in_open;
    EchoHandler echo;
    auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo);
    ASSERT_OK(server);
    ReconnectingOptions settings;
    settings.heartbeat.interval = 1ms;  // timers that would fire into a freed client
    auto c =
        ReconnectingClient::create(*loop, server->local_endpoint().to_string(), killer, settings);
    ASSERT_OK(c);
    killer.client = std::move(*c);
    killer.client->start();
    EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return !killer.client; }));
    for (int i = 0; i < 5; ++i)
      (void)loop->run_once(2ms);
    EXPECT_EQ(killer.opened, 1);
  }
}

// Happy Eyeballs: once one address wins, the connects still pending are
// abandoned at once (their sockets, PCBs on lwIP, are not held until timeout).
TEST_P(Hardening, HappyEyeballsLosersAreCancelled) {
  SOCKKIT_REQUIRE(close_on_exec);  // counts kernel descriptors
  auto silent = listen_loopback(Family::ipv4, {.backlog = 0});
  std::vector<TcpStream> fillers;  // a full backlog drops SYNs: connects there stay pending
  for (int i = 0; i < 8; ++i) {
    auto f = TcpStream::connect(*silent.local_endpoint(), 200ms);
    if (!f) break;
    fillers.push_back(std::move(*f));
  }
  auto live = listen_loopback(Family::ipv4);
  struct Opened : ReconnectingHandler {
    void on_open(Connection&) override { ++opened; }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    int opened = 0;
  } opened;
  ReconnectingOptions settings;
  settings.connect_timeout = 10s;
  settings.happy_eyeballs_delay = 20ms;
  const Endpoint first = *silent.local_endpoint(), second = *live.local_endpoint();
  settings.resolve = [&]() -> Result<std::vector<Endpoint>> {
    return std::vector<Endpoint>{first, second};
  };
  const int before = open_descriptor_count();
  auto c = ReconnectingClient::create(*loop, "unused:1", opened, settings);
  ASSERT_OK(c);
  c->start();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return opened.opened == 1; }));
  (void)loop->run_once(1ms);
  EXPECT_EQ(open_descriptor_count(), before + 1) << "a losing connect still holds its socket";
}

INSTANTIATE_TEST_SUITE_P(Backends, Hardening, ::testing::ValuesIn(compiled_backends()),
                         backend_param_name);

}  // namespace
}  // namespace sockkit::test
