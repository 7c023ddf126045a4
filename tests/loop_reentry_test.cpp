// SPDX-License-Identifier: MIT
// Regression tests for the loop under re-entrant handlers (timers and waits
// nested in callbacks, many ready descriptors, timeouts, entropy): each one
// failed on the code before its fix. Everything runs on the test thread (the loop and
// blocking peers), so the same tests run on lwIP's single-threaded rule.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "loop/timer_heap.hpp"
#include "support/backend_loop.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

using Hardening = BackendLoopTest;

// A callback never runs its own loop: the attempt is refused at once with a
// clear error, and the loop goes on as if it had not been made.
TEST_P(Hardening, ACallbackThatRunsItsOwnLoopIsRefusedAndTheLoopGoesOn) {
  int ticks = 0, later = 0;
  std::error_code refused;
  bool nested_until = true;
  TimerId self = 0;
  self = loop->add_repeating_timer(1ms, [&] {
    ++ticks;
    auto r = loop->run_once(0ms);
    if (!r) refused = r.error();
    nested_until = loop->run_until([] { return false; }, Clock::now() + 1s);
    loop->soon([&] { ++later; });
    EXPECT_TRUE(loop->cancel_timer(self));
  });
  ASSERT_TRUE(run_loop_until(*loop, 5s, [&] { return later == 1; }));
  EXPECT_EQ(ticks, 1);
  EXPECT_EQ(refused, std::errc::resource_deadlock_would_occur) << refused.message();
  EXPECT_FALSE(nested_until);
  EXPECT_EQ(loop->timer_count(), 0u);
  int a = 0;
  loop->add_timer(1ms, [&] { ++a; });
  EXPECT_TRUE(run_loop_until(*loop, 2s, [&] { return a == 1; }));
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
  ASSERT_OK(client->connect(*listener.local_endpoint(), -1ms));
  ASSERT_OK(client->connect(*listener.local_endpoint(), std::chrono::milliseconds::max()));
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
