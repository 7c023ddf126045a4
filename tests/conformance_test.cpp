// SPDX-License-Identifier: MIT
// The event-loop conformance suite: the same expectations on every backend.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "loop/timer_heap.hpp"
#include "support/fixture.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

// Sends `data` and reads the echo from this one thread, non-blocking, so no
// socket is touched by two threads (lwIP freezes when one thread shuts down a
// socket another is blocked in). Half-closes after the last byte; true if the
// echo is identical and followed by a clean EOF.
::testing::AssertionResult echo_round_trip(const Endpoint& at, const std::vector<std::byte>& data) {
  auto s = TcpStream::connect(at, 5s);
  if (!s) return ::testing::AssertionFailure() << "connect: " << s.error().message();
  if (auto st = s->set_nonblocking(true); !st)
    return ::testing::AssertionFailure() << "nonblocking";
  std::vector<std::byte> got(data.size());
  std::size_t sent = 0, received = 0;
  bool shut = false;
  const auto start = Clock::now();
  while (received < data.size()) {
    if (elapsed_ms(start) > 60000)
      return ::testing::AssertionFailure() << "stalled at " << received;
    bool progress = false;
    if (sent < data.size()) {
      auto n = s->send(std::span(data).subspan(sent));
      if (n) {
        sent += *n;
        progress = *n > 0;
      } else if (n.error() != errc::would_block) {
        return ::testing::AssertionFailure() << "send: " << n.error().message();
      }
    } else if (!shut) {
      (void)s->shutdown_write();
      shut = true;
    }
    auto n = s->receive(std::span(got).subspan(received));
    if (n) {
      if (*n == 0) return ::testing::AssertionFailure() << "early EOF at " << received;
      received += *n;
      progress = true;
    } else if (n.error() != errc::would_block) {
      return ::testing::AssertionFailure() << "receive: " << n.error().message();
    }
    if (!progress) (void)s->wait_readable(5ms);
  }
  if (got != data) return ::testing::AssertionFailure() << "echo differs";
  if (!shut) (void)s->shutdown_write();
  if (auto st = s->set_nonblocking(false); !st) return ::testing::AssertionFailure() << "blocking";
  (void)s->set_receive_timeout(5s);
  char extra;
  auto eof = s->receive(std::span<char>(&extra, 1));
  if (!eof || *eof != 0) return ::testing::AssertionFailure() << "no clean EOF after the echo";
  return ::testing::AssertionSuccess();
}

class Conformance : public SockkitTest, public ::testing::WithParamInterface<Backend> {};

TEST_P(Conformance, ManyConcurrentClientsGetTheirBytesBack) {
  EchoHandler echo;
  ServerThread server(GetParam(), echo, {});
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  std::mt19937 rng(1234);
  for (int i = 0; i < 12; ++i) {
    const std::size_t size = 1 + rng() % (3 << 20);  // up to 3 MiB
    clients.emplace_back([&, size, i] {
      if (echo_round_trip(server.endpoint(), seeded_payload(size, static_cast<unsigned>(i))))
        ++good;
    });
  }
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(good.load(), 12);
  EXPECT_EQ(server.stats().accepted, 12u);
}

TEST_P(Conformance, HalfCloseFlushesTheEchoThenCloses) {
  EchoHandler echo;
  ServerThread server(GetParam(), echo, {});
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_TRUE(echo_round_trip(server.endpoint(), seeded_payload(100000, 5)));
  const auto start = Clock::now();
  while (server.stats().open != 0 && elapsed_ms(start) < 5000)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(server.stats().open, 0u);
}

TEST_P(Conformance, ResetMidStreamClosesOnlyThatConnection) {
  EchoHandler echo;
  ServerThread server(GetParam(), echo, {});
  ASSERT_TRUE(server.ok()) << server.error();
  {
    auto s = TcpStream::connect(server.endpoint(), 5s);
    ASSERT_OK(s);
    ASSERT_OK(s->write_all(seeded_payload(200000, 9)));
    ASSERT_OK(s->abort());  // RST while the server is echoing
  }
  const auto start = Clock::now();
  std::vector<std::error_code> closes;
  while (closes.empty() && elapsed_ms(start) < 5000) {
    server.call([&](EventLoop&, Server&) { closes = echo.closes; });
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_TRUE(closes[0] == errc::connection_reset || closes[0] == errc::peer_closed)
      << closes[0].message();
  EXPECT_TRUE(echo_round_trip(server.endpoint(), seeded_payload(1000, 10)));  // still serving
}

// Bytes a flood needs to get past what the kernel may buffer for one TCP
// connection (the largest receive plus send buffer autotuning may reach, with
// 8 MiB to spare), at least `floor`. On a stack without /proc it is `floor`.
std::size_t flood_past_the_kernels_buffers(std::size_t floor) {
  auto largest = [](const char* path) -> std::size_t {
    std::FILE* f = std::fopen(path, "r");
    if (!f) return 0;
    unsigned long least = 0, usual = 0, most = 0;
    const bool read = std::fscanf(f, "%lu %lu %lu", &least, &usual, &most) == 3;
    std::fclose(f);
    return read ? most : 0;
  };
  if (!stack_supports(StackFeature::send_buffer_size)) return floor;
  const std::size_t kernel =
      largest("/proc/sys/net/ipv4/tcp_rmem") + largest("/proc/sys/net/ipv4/tcp_wmem") + (8u << 20);
  return std::max(floor, kernel);
}

TEST_P(Conformance, SlowReaderGetsBackpressureNotUnboundedMemory) {
  EchoHandler echo;
  ServerOptions options;
  options.limits.high_watermark = 256 << 10;
  options.limits.low_watermark = 64 << 10;
  options.limits.max_write_queue = 1 << 20;
  ServerThread server(GetParam(), echo, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  // Far more than every buffer together: the server's accepted socket grows its
  // own buffers up to the kernel's tcp_rmem and tcp_wmem limits (16 MiB was
  // absorbed once under load, poll backend), so the flood is sized past them.
  const std::size_t size =
      flood_past_the_kernels_buffers(GetParam() == Backend::uring ? 32 << 20 : 16 << 20);
  const auto data = seeded_payload(size, 77);
  // Small, fixed buffers on our side: the kernel's autotuning (up to
  // tcp_rmem's 32 MiB here) must not be what absorbs the flood.
  if (stack_supports(StackFeature::send_buffer_size)) {
    ASSERT_OK(s->set_receive_buffer_size(64 << 10));
    ASSERT_OK(s->set_send_buffer_size(64 << 10));
  }
  // Write without reading: the server must stop reading from us, not queue it all.
  ASSERT_OK(s->set_nonblocking(true));
  std::size_t sent = 0;
  const auto start = Clock::now();
  while (sent < data.size() && elapsed_ms(start) < 1000) {
    auto n = s->send(std::span(data).subspan(sent));
    if (n)
      sent += *n;
    else
      std::this_thread::sleep_for(2ms);
  }
  EXPECT_LT(sent, data.size()) << "the server never pushed back";
  std::size_t max_queued = 0;
  server.call([&](EventLoop&, Server&) { max_queued = echo.max_queued; });
  EXPECT_LE(max_queued, options.limits.high_watermark + options.limits.read_chunk);
  // Now read everything: nothing was lost on the way.
  ASSERT_OK(s->set_nonblocking(false));
  std::vector<std::byte> got(data.size());
  std::thread reader([&] { EXPECT_OK(s->read_exact(got, 60s)); });
  ASSERT_OK(s->write_all(std::span(data).subspan(sent), 60s));
  reader.join();
  EXPECT_TRUE(got == data);
}

// The edge-triggered trap: two messages back to back, read in small pieces.
// Edge-triggered mode must drain until EAGAIN or the second message is stranded.
TEST_P(Conformance, BackToBackMessagesAreBothDelivered) {
  EchoHandler echo;
  ServerOptions options;
  options.limits.read_chunk = 4;  // smaller than one message
  ServerThread server(GetParam(), echo, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto s = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(s);
  ASSERT_OK(s->write_all("diag:1\ndiag:2\n"));  // one segment, two messages
  char got[14];
  ASSERT_OK(s->read_exact(std::span<char>(got), 5s));
  EXPECT_EQ(std::string_view(got, 14), "diag:1\ndiag:2\n");
}

TEST_P(Conformance, ConnectionsPastTheLimitAreClosedAtOnceAndCounted) {
  EchoHandler echo;
  ServerThread server(GetParam(), echo, {.max_connections = 3});
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<TcpStream> clients;
  for (int i = 0; i < 5; ++i) {
    auto s = TcpStream::connect(server.endpoint(), 5s);
    ASSERT_OK(s);
    clients.push_back(std::move(*s));
  }
  int served = 0, refused = 0;
  for (auto& c : clients) {
    (void)c.write_all("ping");
    char buf[4];
    if (c.read_exact(std::span<char>(buf), 5s))
      ++served;
    else
      ++refused;  // EOF or RST: closed at once, not left waiting
  }
  EXPECT_EQ(served, 3);
  EXPECT_EQ(refused, 2);
  const auto stats = server.stats();
  EXPECT_EQ(stats.rejected_over_limit, 2u);
  EXPECT_EQ(stats.accepted, 3u);
}

TEST_P(Conformance, TimersFireInOrderUnderLoad) {
  EchoHandler echo;
  ServerThread server(GetParam(), echo, {});
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<int> fired;
  // Half the slots of a build with timers built in: the server keeps some.
  const int timers = loop::kBuiltInTimerCapacity == 0
                         ? 50
                         : std::min(50, static_cast<int>(loop::kBuiltInTimerCapacity / 2));
  std::atomic<int> remaining{timers};
  server.call([&](EventLoop& loop, Server&) {
    for (int i = 0; i < timers; ++i)
      loop.add_timer(std::chrono::milliseconds(5 + 4 * i), [&, i] {
        fired.push_back(i);
        --remaining;
      });
  });
  std::thread load(
      [&] { EXPECT_TRUE(echo_round_trip(server.endpoint(), seeded_payload(8 << 20, 3))); });
  const auto start = Clock::now();
  while (remaining > 0 && elapsed_ms(start) < 10000)
    std::this_thread::sleep_for(5ms);
  load.join();
  std::vector<int> seen;
  server.call([&](EventLoop&, Server&) { seen = fired; });
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(timers));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_P(Conformance, PostFromAnotherThreadUnderLoad) {
  EchoHandler echo;
  ServerThread server(GetParam(), echo, {});
  ASSERT_TRUE(server.ok()) << server.error();
  std::atomic<int> ran{0};
  std::thread load(
      [&] { EXPECT_TRUE(echo_round_trip(server.endpoint(), seeded_payload(4 << 20, 4))); });
  for (int i = 0; i < 500; ++i)
    server.call([&](EventLoop& loop, Server&) {
      if (loop.in_loop_thread()) ++ran;
    });
  load.join();
  EXPECT_EQ(ran.load(), 500);
}

TEST_P(Conformance, IdleConnectionsAreClosedByTheWatchdog) {
  EchoHandler echo;
  ServerOptions options;
  options.limits.idle_timeout = 100ms;
  ServerThread server(GetParam(), echo, options);
  ASSERT_TRUE(server.ok()) << server.error();
  auto idle = TcpStream::connect(server.endpoint(), 5s);
  ASSERT_OK(idle);
  char buf[1];
  auto n = idle->receive(std::span<char>(buf));  // blocks until the server closes us
  EXPECT_TRUE(n && *n == 0);
  EXPECT_EQ(server.stats().idle_closed, 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Conformance, ::testing::ValuesIn(compiled_backends()),
                         backend_param_name);

using ServerLimits = SockkitTest;

// On the select backend an accepted descriptor >= FD_SETSIZE cannot be watched:
// the connection is refused and counted, never written past an fd_set.
TEST_F(ServerLimits, SelectRefusesConnectionsPastFdSetsize) {
  SOCKKIT_REQUIRE(descriptor_limit);  // lwIP: ConstrainedLwip.* in tests/lwip/limits_test.cpp
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max < 1100) GTEST_SKIP() << "hard RLIMIT_NOFILE below 1100";
  rlimit raised = saved;
  raised.rlim_cur = 1100;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &raised), 0);
  EchoHandler echo;
  {
    ServerThread server(Backend::select, echo, {});
    ASSERT_TRUE(server.ok()) << server.error();
    std::vector<int> filler;  // occupy every descriptor below 1024
    for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0 && fd < 1023;)
      filler.push_back(fd);
    auto client = TcpStream::connect(server.endpoint(), 5s);  // takes 1023 or above
    ASSERT_OK(client);
    char buf[1];
    ASSERT_OK(client->set_receive_timeout(5s));
    auto n = client->receive(std::span<char>(buf));
    EXPECT_TRUE(!n || *n == 0) << "the connection should have been closed";
    EXPECT_EQ(server.stats().rejected_descriptor_limit, 1u);
    for (int fd : filler)
      ::close(fd);
    ::close(1023);  // in case the /dev/null loop stopped there
  }
  setrlimit(RLIMIT_NOFILE, &saved);
}

// Out of descriptors: accept fails with EMFILE while the listener stays readable.
// The server must pause, not spin, and resume when descriptors are free again.
TEST_F(ServerLimits, RunningOutOfDescriptorsDoesNotSpinTheLoop) {
  SOCKKIT_REQUIRE(descriptor_limit);
  EchoHandler echo;
  ServerThread server(Backend::epoll, echo, {.accept_retry = 50ms});
  ASSERT_TRUE(server.ok()) << server.error();
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  // RLIMIT_NOFILE bounds descriptor numbers. Fill every free number below `top`,
  // keep `top` itself for the client, and allow nothing above it: the client's
  // connect succeeds and the server's accept has no number left (EMFILE).
  std::vector<int> filler;
  int top = -1;
  while (true) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    if (fd >= 64 && filler.size() >= 8) {
      top = fd;
      break;
    }
    filler.push_back(fd);
  }
  ::close(top);  // the one number left for the client
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(top) + 1;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  auto stream = TcpStream::connect(server.endpoint(), 5s);
  const auto before = server.iterations();
  std::this_thread::sleep_for(300ms);
  const auto spins = server.iterations() - before;
  const auto stats = server.stats();
  setrlimit(RLIMIT_NOFILE, &saved);
  for (int fd : filler)
    ::close(fd);
  ASSERT_OK(stream);
  EXPECT_GE(stats.accept_pauses, 1u);
  EXPECT_LT(spins, 100u) << "the loop spun on a readable listener";
  // Descriptors are back: the waiting connection is served.
  ASSERT_OK(stream->write_all("late"));
  char buf[4];
  EXPECT_OK(stream->read_exact(std::span<char>(buf), 5s));
}

}  // namespace
}  // namespace sockkit::test
