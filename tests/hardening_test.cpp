// Regression tests for hostile peers and re-entrant handlers: each one failed
// on the code before its fix. Everything runs on the test thread (the loop and
// blocking peers), so the same tests run on lwIP's single-threaded rule.
#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "loop/timer_heap.hpp"
#include "support/fixture.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Raises this process's soft descriptor limit to at least `wanted` (up to the hard one).
bool raise_descriptor_limit(rlim_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= wanted) return true;
  if (lim.rlim_max < wanted) return false;
  lim.rlim_cur = wanted;
  return setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

class Hardening : public SockkitTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    auto l = EventLoop::create({.backend = GetParam(), .fallback = false});
    if (!l && l.error() == errc::not_supported) GTEST_SKIP() << "backend not available here";
    ASSERT_OK(l);
    loop = std::move(*l);
  }
  void TearDown() override {
    loop.reset();
    SockkitTest::TearDown();
  }
  std::unique_ptr<EventLoop> loop;
};

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
  auto peer = TcpStream::connect((*server)->local_endpoint(), 5s);
  ASSERT_OK(peer);
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return (*server)->stats().accepted == 1; }));
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
  EXPECT_EQ((*server)->stats().open, 0u);
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
    auto p = TcpStream::connect((*server)->local_endpoint(), 5s);
    // lwIP's backlog is bounded by its PCB pool: it refuses past that.
    if (!p && (p.error() == errc::too_many_sockets || p.error() == errc::connection_refused)) break;
    ASSERT_OK(p);
    peers.push_back(std::move(*p));
  }
  if (peers.size() <= 64) GTEST_SKIP() << "the stack's backlog holds only " << peers.size();
  EXPECT_TRUE(
      run_loop_until(*loop, 5s, [&] { return (*server)->stats().accepted == peers.size(); }))
      << "accepted " << (*server)->stats().accepted << " of " << peers.size();
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
  auto peer = TcpStream::connect((*server)->local_endpoint(), 5s);
  ASSERT_OK(peer);
  ASSERT_OK(peer->set_nonblocking(true));
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return (*server)->stats().accepted == 1; }));
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
    auto p = TcpStream::connect((*server)->local_endpoint(), 5s);
    ASSERT_OK(p);
    ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return (*server)->stats().open == 1; }));
    ASSERT_OK(p->close());
    ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return (*server)->stats().open == 0; }));
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
      std::unique_ptr<Server> server;
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
    EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return killer.server == nullptr; }))
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
    std::unique_ptr<Client> client;
    int opened = 0, failed = 0;
  } killer;
  auto listener = listen_loopback(Family::ipv4);
  auto c = Client::create(*loop, killer);
  ASSERT_OK(c);
  killer.client = std::move(*c);
  ASSERT_OK(killer.client->connect(*listener.local_endpoint(), 5s));
  ASSERT_OK(killer.client->connect(*listener.local_endpoint(), 5s));
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return killer.client == nullptr; }));
  EXPECT_EQ(killer.opened, 1);

  const Endpoint dead = *listener.local_endpoint();
  ASSERT_OK(listener.close());
  c = Client::create(*loop, killer);
  ASSERT_OK(c);
  killer.client = std::move(*c);
  if (killer.client->connect(dead, 5s)) {
    EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return killer.client == nullptr; }));
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
      std::unique_ptr<ReconnectingClient> client;
    } killer;
    killer.in_open = in_open;
    EchoHandler echo;
    auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo);
    ASSERT_OK(server);
    ClientSettings settings;
    settings.heartbeat.interval = 1ms;  // timers that would fire into a freed client
    auto c = ReconnectingClient::create(*loop, (*server)->local_endpoint().to_string(), killer,
                                        settings);
    ASSERT_OK(c);
    killer.client = std::move(*c);
    killer.client->start();
    EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return killer.client == nullptr; }));
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
  ClientSettings settings;
  settings.connect_timeout = 10s;
  settings.happy_eyeballs_delay = 20ms;
  const Endpoint first = *silent.local_endpoint(), second = *live.local_endpoint();
  settings.resolve = [&]() -> Result<std::vector<Endpoint>> {
    return std::vector<Endpoint>{first, second};
  };
  const int before = open_descriptor_count();
  auto c = ReconnectingClient::create(*loop, "unused:1", opened, settings);
  ASSERT_OK(c);
  (*c)->start();
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return opened.opened == 1; }));
  (void)loop->run_once(1ms);
  EXPECT_EQ(open_descriptor_count(), before + 1) << "a losing connect still holds its socket";
}

// A repeating timer whose callback runs the loop (as Server::shutdown does)
// and then cancels itself; the timers added afterwards all fire.
TEST_P(Hardening, ARepeatingTimerThatRunsTheLoopAndCancelsItself) {
  int inner = 0, ticks = 0;
  TimerId self = 0;
  self = loop->add_repeating_timer(1ms, [&] {
    ++ticks;
    auto inner_id = std::make_shared<TimerId>(0);
    *inner_id = loop->add_repeating_timer(1ms, [&, inner_id] {
      ++inner;
      loop->cancel_timer(*inner_id);
    });
    (void)loop->run_until([&] { return inner == ticks; }, Clock::now() + 1s);
    EXPECT_TRUE(loop->cancel_timer(self));
  });
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return ticks == 1 && inner == 1; }));
  EXPECT_EQ(loop->timer_count(), 0u);
  int a = 0, b = 0;
  loop->add_timer(1ms, [&] { ++a; });
  loop->add_timer(1ms, [&] { ++b; });
  EXPECT_TRUE(run_loop_until(*loop, 2s, [&] { return a == 1 && b == 1; }))
      << "a=" << a << " b=" << b;
  EXPECT_EQ(ticks, 1);
}

// The same at the heap: the nested run fires another repeating timer that
// cancels itself, then the outer cancels itself; the slots stay consistent.
TEST(TimerHeapReentry, NestedRepeatingTimersCancellingThemselves) {
  using loop::TimerHeap;
  TimerHeap heap;
  const auto now = TimerHeap::Clock::now();
  int inner = 0, outer = 0;
  loop::TimerId self = 0, nested = 0;
  self = heap.add(now, 1ms, [&] {
    ++outer;
    nested = heap.add(now, 1ms, [&] {
      ++inner;
      EXPECT_TRUE(heap.cancel(nested));
    });
    heap.run_expired(now + 5ms);
    EXPECT_TRUE(heap.cancel(self));
  });
  EXPECT_EQ(heap.run_expired(now), 1u);
  EXPECT_EQ(outer, 1);
  EXPECT_EQ(inner, 1);
  EXPECT_EQ(heap.size(), 0u);
  int a = 0, b = 0;
  const auto ia = heap.add(now, {}, [&] { ++a; });
  const auto ib = heap.add(now, {}, [&] { ++b; });
  EXPECT_NE(ia & 0xffffffffu, ib & 0xffffffffu) << "two live timers share a slot";
  EXPECT_EQ(heap.run_expired(now + 10ms), 2u);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
}

// A handler that runs the loop while the outer iteration still has ready
// descriptors to dispatch: the outer ones are not lost (edge-triggered epoll
// would never report them again).
TEST_P(Hardening, ANestedWaitDoesNotLoseTheOuterBatch) {
  struct Reader : IoHandler {
    void on_io(unsigned) noexcept override {
      ++calls;
      char buf[64];
      while (socket->receive_from(std::span<char>(buf))) {
      }
      if (nest) nest();
    }
    UdpSocket* socket = nullptr;
    std::function<void()> nest;
    int calls = 0;
  };
  constexpr int kSockets = 6;
  std::vector<UdpSocket> sockets;
  std::vector<Reader> readers(kSockets);
  auto sender = UdpSocket::open(Family::ipv4);
  ASSERT_OK(sender);
  for (int i = 0; i < kSockets; ++i) {
    auto s = UdpSocket::bind(Endpoint::loopback_v4(0));
    ASSERT_OK(s);
    ASSERT_OK(s->set_nonblocking(true));
    sockets.push_back(std::move(*s));
  }
  bool nested = false;
  for (int i = 0; i < kSockets; ++i) {
    readers[i].socket = &sockets[i];
    // The first reader called wakes the second half and runs the loop inside its callback.
    readers[i].nest = [&, i] {
      if (nested || i >= kSockets / 2) return;
      nested = true;
      for (int k = kSockets / 2; k < kSockets; ++k)
        (void)sender->send_to("late", *sockets[k].local_endpoint());
      (void)loop->run_once(0ms);
    };
    ASSERT_OK(loop->watch(sockets[i].native_handle(), io::readable, &readers[i]));
  }
  for (int i = 0; i < kSockets / 2; ++i)
    ASSERT_OK(sender->send_to("early", *sockets[i].local_endpoint()));
  EXPECT_TRUE(run_loop_until(*loop, 2s, [&] {
    return std::all_of(readers.begin(), readers.end(), [](const Reader& r) { return r.calls > 0; });
  }));
  for (int i = 0; i < kSockets; ++i) {
    EXPECT_GT(readers[i].calls, 0) << "socket " << i << " never reported";
    ASSERT_OK(loop->unwatch(sockets[i].native_handle()));
  }
}

// More descriptors ready than one wait returns: every one is reported within a
// few iterations (a backend that always scans from the start starves the rest).
TEST_P(Hardening, ManyReadyDescriptorsAreAllReported) {
  struct Counter : IoHandler {
    void on_io(unsigned) noexcept override { ++calls; }  // never drains: stays ready
    int calls = 0;
  };
  constexpr int kSockets = 300;
  if (loop->descriptor_limit() > 0 && loop->descriptor_limit() < kSockets + 64)
    GTEST_SKIP() << "backend limited to " << loop->descriptor_limit() << " descriptors";
  auto sender = UdpSocket::open(Family::ipv4);
  ASSERT_OK(sender);
  std::vector<UdpSocket> sockets;
  std::vector<Counter> counters(kSockets);
  for (int i = 0; i < kSockets; ++i) {
    auto s = UdpSocket::bind(Endpoint::loopback_v4(0));
    if (!s && s.error() == errc::too_many_sockets) GTEST_SKIP() << "stack out of sockets";
    ASSERT_OK(s);
    ASSERT_OK(sender->send_to("x", *s->local_endpoint()));
    sockets.push_back(std::move(*s));
    ASSERT_OK(loop->watch(sockets.back().native_handle(), io::readable, &counters[i]));
  }
  for (int i = 0; i < 4; ++i)
    ASSERT_OK(loop->run_once(100ms));
  int never = 0;
  for (const auto& c : counters)
    never += c.calls == 0;
  EXPECT_EQ(never, 0) << never << " of " << kSockets << " ready sockets never reported";
  for (auto& s : sockets)
    ASSERT_OK(loop->unwatch(s.native_handle()));
}

// Thousands of descriptors ready at once (more than io_uring's completion
// queue holds): every one is reported and the loop never fails.
TEST_P(Hardening, ThousandsReadyAtOnceNeverEndTheLoop) {
  SOCKKIT_REQUIRE(descriptor_limit);  // kernel descriptors: rlimit raised below
  struct Drain : IoHandler {
    void on_io(unsigned) noexcept override {
      ++calls;
      char buf[8];
      while (socket->receive_from(std::span<char>(buf))) {
      }
    }
    UdpSocket* socket = nullptr;
    int calls = 0;
  };
  constexpr int kSockets = 3000;
  if (loop->descriptor_limit() > 0) GTEST_SKIP() << "backend limited to FD_SETSIZE";
  if (!raise_descriptor_limit(kSockets + 256)) GTEST_SKIP() << "RLIMIT_NOFILE too low";
  auto sender = UdpSocket::open(Family::ipv4);
  ASSERT_OK(sender);
  std::vector<UdpSocket> sockets;
  sockets.reserve(kSockets);
  std::vector<Drain> drains(kSockets);
  for (int i = 0; i < kSockets; ++i) {
    auto s = UdpSocket::bind(Endpoint::loopback_v4(0));
    ASSERT_OK(s);
    ASSERT_OK(s->set_nonblocking(true));
    ASSERT_OK(sender->send_to("x", *s->local_endpoint()));
    sockets.push_back(std::move(*s));
    drains[i].socket = &sockets.back();
    ASSERT_OK(loop->watch(sockets.back().native_handle(), io::readable, &drains[i]));
  }
  int reported = 0;
  for (int round = 0; round < 100 && reported < kSockets; ++round) {
    auto n = loop->run_once(100ms);
    ASSERT_OK(n);
    reported = static_cast<int>(
        std::count_if(drains.begin(), drains.end(), [](const Drain& d) { return d.calls > 0; }));
  }
  EXPECT_EQ(reported, kSockets);
  for (auto& s : sockets)
    ASSERT_OK(loop->unwatch(s.native_handle()));
}

// Timeouts: a negative one means "no limit" everywhere, and the largest one
// does not overflow the clock.
TEST_P(Hardening, TimeoutConventionsAreTheSameEverywhere) {
  bool fired = false;
  loop->add_timer(std::chrono::milliseconds::max(), [&] { fired = true; });
  ASSERT_OK(loop->run_once(5ms));
  EXPECT_FALSE(fired) << "the largest delay fired at once";
  EXPECT_EQ(loop->timer_count(), 1u);

  struct Opened : ConnectionHandler {
    void on_open(Connection&) override { ++opened; }
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    void on_connect_failed(const Endpoint&, std::error_code why) override { failure = why; }
    int opened = 0;
    std::error_code failure;
  } opened;
  auto listener = listen_loopback(Family::ipv4);
  auto client = Client::create(*loop, opened);
  ASSERT_OK(client);
  ASSERT_OK((*client)->connect(*listener.local_endpoint(), -1ms));
  ASSERT_OK((*client)->connect(*listener.local_endpoint(), std::chrono::milliseconds::max()));
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return opened.opened == 2; }))
      << opened.failure.message();
}

// Backoff jitter is seeded from the entropy seam (a port's source on an RTOS),
// not from std::random_device.
TEST(EntropySeam, BackoffJitterIsSeededFromTheSourceInUse) {
  static int calls = 0;
  static unsigned char fill = 0;
  set_entropy_source([](std::span<std::byte> out) noexcept {
    ++calls;
    for (auto& b : out)
      b = std::byte{fill};
    return true;
  });
  BackoffPolicy policy;
  policy.jitter = 0.5;
  fill = 1;
  BackoffSchedule a(policy);
  BackoffSchedule a_again(policy);
  fill = 2;
  BackoffSchedule b(policy);
  set_entropy_source(nullptr);
  EXPECT_EQ(calls, 3);
  const auto first = a.next();
  EXPECT_EQ(first, a_again.next()) << "the same source bytes give the same sequence";
  EXPECT_NE(first, b.next()) << "different source bytes give different sequences";
  std::byte bytes[16]{};
  ASSERT_OK(random_bytes(bytes));  // the stack's own source is back
}

INSTANTIATE_TEST_SUITE_P(Backends, Hardening, ::testing::ValuesIn(compiled_backends()),
                         backend_param_name);

}  // namespace
}  // namespace sockkit::test
