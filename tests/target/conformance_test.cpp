// SPDX-License-Identifier: MIT
// The event-loop conformance suite's expectations on the board, where there is
// one thread: servers and clients share the device's loop and talk over lwIP's
// loopback interface. The hosted suite (tests/conformance_test.cpp) runs its
// clients on threads of their own; here each scenario is the same contract
// driven from one loop — several clients at once, half-close, a reset in the
// middle of a stream, a reader that stops, the connection limit, timers under
// load and the idle watchdog — within the board's constrained lwIP (8 PCBs).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sockkit/sockkit.hpp"
#include "target/handlers.hpp"

namespace sockkit::target {
namespace {

using namespace std::chrono_literals;

std::vector<std::byte> pattern(std::size_t size, unsigned seed) {
  std::vector<std::byte> v(size);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::byte>(x >> 24);
  }
  return v;
}

struct OneLoop : ::testing::Test {
  void SetUp() override {
    auto created = EventLoop::create({.backend = Backend::poll});
    ASSERT_TRUE(created) << created.error().message();
    loop = std::make_unique<EventLoop>(std::move(*created));
  }
  // A server on lwIP's loopback with `options`.
  void serve(ServerOptions options = {}) {
    auto started = Server::start(*loop, Endpoint::loopback_v4(0), echo, options);
    ASSERT_TRUE(started) << started.error().message();
    server = std::make_unique<Server>(std::move(*started));
  }
  // A client's handler, kept by the fixture: it must outlive the client, which
  // tells it of its connection's end when it goes.
  Collector& collector(std::vector<std::byte> payload, bool half_close = false) {
    collectors.push_back(std::make_unique<Collector>(std::move(payload), half_close));
    return *collectors.back();
  }
  // A client of the server, connecting now.
  Client& connect(Collector& collector) {
    auto created = Client::create(*loop, collector);
    EXPECT_TRUE(created) << created.error().message();
    clients.push_back(std::make_unique<Client>(std::move(*created)));
    EXPECT_TRUE(clients.back()->connect(server->local_endpoint(), 2s));
    return *clients.back();
  }
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds within) {
    return loop->run_until(done, EventLoop::Clock::now() + within);
  }
  std::unique_ptr<EventLoop> loop;
  Echo echo;
  std::unique_ptr<Server> server;
  std::vector<std::unique_ptr<Collector>> collectors;
  std::vector<std::unique_ptr<Client>> clients;  // destroyed first
};

TEST_F(OneLoop, SeveralClientsAtOnceEachGetTheirOwnBytesBack) {
  serve();
  for (unsigned i = 0; i < 3; ++i)
    connect(collector(pattern(40000 + 24000 * i, i)));
  EXPECT_TRUE(run_until(
      [&] {
        for (auto& c : collectors)
          if (c->got.size() < c->sent.size()) return false;
        return true;
      },
      20s));
  for (auto& c : collectors)
    EXPECT_TRUE(c->got == c->sent) << c->got.size() << " of " << c->sent.size() << " came back";
  EXPECT_EQ(server->stats().accepted, 3u);
}

TEST_F(OneLoop, HalfCloseFlushesTheEchoThenCloses) {
  serve();
  Collector& half = collector(pattern(100000, 5), /*half_close=*/true);
  connect(half);
  EXPECT_TRUE(run_until([&] { return half.closed && server->stats().open == 0; }, 10s));
  EXPECT_TRUE(half.got == half.sent) << half.got.size() << " bytes came back";
  EXPECT_FALSE(half.reason) << half.reason.message();  // a clean end, not an error
}

TEST_F(OneLoop, ResetMidStreamClosesOnlyThatConnection) {
  serve();
  {
    auto stream = TcpStream::connect(server->local_endpoint(), 2s);
    ASSERT_TRUE(stream) << stream.error().message();
    ASSERT_TRUE(stream->set_nonblocking(true));
    const auto bytes = pattern(20000, 9);
    ASSERT_TRUE(stream->send(std::span(bytes)));
    EXPECT_TRUE(run_until([&] { return server->stats().open == 1; }, 2s));
    run_until([] { return false; }, 50ms);  // the server is echoing
    ASSERT_TRUE(stream->abort());           // RST while it does
  }
  EXPECT_TRUE(run_until([&] { return !echo.closes.empty(); }, 5s));
  ASSERT_EQ(echo.closes.size(), 1u);
  EXPECT_TRUE(echo.closes[0] == errc::connection_reset || echo.closes[0] == errc::peer_closed)
      << echo.closes[0].message();
  Collector& after = collector(pattern(3000, 10));
  connect(after);
  EXPECT_TRUE(run_until([&] { return after.got.size() >= after.sent.size(); }, 5s));
  EXPECT_TRUE(after.got == after.sent);  // still serving
}

TEST_F(OneLoop, ASlowReaderGetsBackpressureNotUnboundedMemory) {
  ServerOptions options;
  options.limits.high_watermark = 16 << 10;
  options.limits.low_watermark = 4 << 10;
  options.limits.max_write_queue = 64 << 10;
  serve(options);
  Collector& reader = collector(pattern(256 << 10, 11));
  reader.start_paused = true;  // sends everything, reads nothing yet
  connect(reader);
  run_until([] { return false; }, 1s);
  EXPECT_GE(echo.high_watermarks, 1);
  EXPECT_TRUE(reader.got.empty());
  EXPECT_EQ(server->stats().open, 1u);  // held back, not closed for its queue
  ASSERT_NE(reader.connection, nullptr);
  reader.connection->resume_reading();
  EXPECT_TRUE(run_until([&] { return reader.got.size() >= reader.sent.size(); }, 20s));
  EXPECT_TRUE(reader.got == reader.sent) << reader.got.size() << " bytes came back";
}

TEST_F(OneLoop, ConnectionsPastTheLimitAreClosedAtOnceAndCounted) {
  serve({.max_connections = 2});
  Collector& first = collector(pattern(2000, 1));
  Collector& second = collector(pattern(2000, 2));
  Collector& third = collector({});
  connect(first);
  connect(second);
  EXPECT_TRUE(run_until([&] { return server->stats().open == 2; }, 2s));
  connect(third);
  EXPECT_TRUE(run_until([&] { return third.closed; }, 5s));
  EXPECT_EQ(server->stats().rejected_over_limit, 1u);
  EXPECT_TRUE(run_until(
      [&] {
        return first.got.size() == first.sent.size() && second.got.size() == second.sent.size();
      },
      5s));
  EXPECT_TRUE(first.got == first.sent);
  EXPECT_TRUE(second.got == second.sent);
}

TEST_F(OneLoop, TimersFireInOrderUnderLoad) {
  serve();
  Collector& busy = collector(pattern(128 << 10, 12));
  Collector& busier = collector(pattern(128 << 10, 13));
  connect(busy);
  connect(busier);
  std::vector<int> fired;
  for (int ms : {50, 10, 40, 20, 30})
    (void)loop->add_timer(std::chrono::milliseconds(ms), [&fired, ms] { fired.push_back(ms); });
  EXPECT_TRUE(run_until(
      [&] {
        return fired.size() == 5 && busy.got.size() == busy.sent.size() &&
               busier.got.size() == busier.sent.size();
      },
      20s));
  EXPECT_EQ(fired, (std::vector<int>{10, 20, 30, 40, 50}));
  EXPECT_TRUE(busy.got == busy.sent);
  EXPECT_TRUE(busier.got == busier.sent);
}

TEST_F(OneLoop, IdleConnectionsAreClosedByTheWatchdog) {
  ServerOptions options;
  options.limits.idle_timeout = 200ms;
  serve(options);
  Collector& talker = collector(pattern(1000, 14));
  Collector& silent = collector({});
  connect(talker);
  connect(silent);
  // Both: the talker too, once it has had its echo and gone quiet.
  EXPECT_TRUE(run_until([&] { return silent.closed && talker.closed; }, 3s));
  EXPECT_EQ(server->stats().idle_closed, 2u);
  EXPECT_TRUE(talker.got == talker.sent);
  EXPECT_TRUE(silent.got.empty());
}

}  // namespace
}  // namespace sockkit::target
