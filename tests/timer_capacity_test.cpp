// SPDX-License-Identifier: MIT
// A loop with a fixed number of timers (LoopOptions::max_timers): the heap's
// limit and reservations, and every part of sockkit that needs timers either
// reserves them up front or fails the one operation with timers_exhausted.
#include <array>
#include <cstring>
#include <optional>

#include "loop/timer_heap.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

bool exhausted(const std::error_code& ec) {
  return ec == make_error_code(failure::timers_exhausted);
}

using TimerCapacityHeap = SockkitTest;

TEST_F(TimerCapacityHeap, RefusesTheTimerPastItsCapacityAndReusesFreedSlots) {
  loop::TimerHeap heap;
  ASSERT_TRUE(heap.set_capacity(3));
  const Clock::time_point t0{};
  int fired = 0;
  std::vector<loop::TimerId> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(heap.add(t0 + 10ms, {}, [&] { ++fired; }));
  for (auto id : ids)
    EXPECT_NE(id, 0u);
  EXPECT_EQ(heap.add(t0 + 10ms, {}, [&] { ++fired; }), 0u);
  EXPECT_TRUE(heap.cancel(ids[1]));
  EXPECT_NE(heap.add(t0 + 20ms, {}, [&] { ++fired; }), 0u);
  EXPECT_EQ(heap.run_expired(t0 + 20ms), 3u);
  EXPECT_EQ(fired, 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(heap.add(t0 + 30ms, {}, [] {}), 0u) << i;
  EXPECT_FALSE(heap.set_capacity(5));  // only before the first timer
}

TEST_F(TimerCapacityHeap, ReservedSlotsAreLeftToTheirOwner) {
  loop::TimerHeap heap;
  ASSERT_TRUE(heap.set_capacity(4));
  const Clock::time_point t0{};
  ASSERT_TRUE(heap.reserve(3));
  const loop::TimerId plain = heap.add(t0 + 1s, {}, [] {});
  EXPECT_NE(plain, 0u);
  EXPECT_EQ(heap.add(t0 + 1s, {}, [] {}), 0u);  // the other three are kept
  EXPECT_FALSE(heap.reserve(1));
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(heap.add(
                  t0 + 1s, {}, [] {}, true),
              0u)
        << i;
  EXPECT_EQ(heap.add(
                t0 + 1s, {}, [] {}, true),
            0u);  // past the reservation: full
  EXPECT_TRUE(heap.cancel(plain));
  EXPECT_TRUE(heap.reserve(1));  // the plain slot is free again
  heap.unreserve(4);
  EXPECT_EQ(heap.run_expired(t0 + 1s), 3u);
  for (int i = 0; i < 4; ++i)
    EXPECT_NE(heap.add(t0 + 2s, {}, [] {}), 0u) << i;
}

TEST_F(TimerCapacityHeap, WithoutACapacityReservationsAlwaysSucceed) {
  if (loop::kBuiltInTimerCapacity != 0) GTEST_SKIP() << "this build has built-in timer slots";
  loop::TimerHeap heap;
  EXPECT_TRUE(heap.reserve(1'000'000));
  for (int i = 0; i < 1000; ++i)
    ASSERT_NE(heap.add(Clock::time_point{} + 1s, {}, [] {}), 0u);
}

class TimerCapacity : public SockkitTest {
 protected:
  void make_loop(std::size_t max_timers) {
    auto l = EventLoop::create({.max_timers = max_timers});
    ASSERT_OK(l);
    loop_ = std::move(*l);
  }
  void TearDown() override {
    loop_.reset();
    SockkitTest::TearDown();
  }
  std::optional<EventLoop> loop_;
};

TEST_F(TimerCapacity, LoopRefusesTimersPastItsLimitAndKeepsReservedOnes) {
  make_loop(3);
  EXPECT_EQ(loop_->max_timers(), 3u);
  auto kept = loop_->reserve_timers(2);
  ASSERT_OK(kept);
  int fired = 0;
  const TimerId plain = loop_->add_timer(5ms, [&] { ++fired; });
  EXPECT_NE(plain, 0u);
  EXPECT_EQ(loop_->add_timer(5ms, [&] { ++fired; }), 0u);
  EXPECT_EQ(loop_->add_repeating_timer(5ms, [&] { ++fired; }), 0u);
  auto more = loop_->reserve_timers(1);
  ASSERT_FALSE(more);
  EXPECT_TRUE(exhausted(more.error())) << more.error().message();
  EXPECT_EQ(classify(more.error()), errc::limit_exceeded);
  EXPECT_NE(kept->add_timer(5ms, [&] { ++fired; }), 0u);
  EXPECT_NE(kept->add_timer(5ms, [&] { ++fired; }), 0u);
  EXPECT_TRUE(run_loop_until(*loop_, 2s, [&] { return fired == 3; }));
  {
    TimerReservation moved = std::move(*kept);
    EXPECT_EQ(moved.count(), 2u);
    EXPECT_EQ(kept->count(), 0u);
  }  // given back
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(loop_->add_timer(1s, [] {}), 0u) << i;
}

TEST_F(TimerCapacity, ALoopWithoutALimitReservesAnything) {
  if (loop::kBuiltInTimerCapacity != 0) GTEST_SKIP() << "this build has built-in timer slots";
  make_loop(0);
  EXPECT_EQ(loop_->max_timers(), 0u);
  EXPECT_OK(loop_->reserve_timers(100'000));
}

TEST_F(TimerCapacity, BuiltInSlotsBoundTheLoopsLimit) {
  if (loop::kBuiltInTimerCapacity == 0) GTEST_SKIP() << "this build grows its timer heap";
  auto too_many = EventLoop::create({.max_timers = loop::kBuiltInTimerCapacity + 1});
  ASSERT_FALSE(too_many);
  EXPECT_TRUE(exhausted(too_many.error()));
  make_loop(0);
  EXPECT_EQ(loop_->max_timers(), loop::kBuiltInTimerCapacity);
}

class Echo final : public ConnectionHandler {
 public:
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    return data.size();
  }
};

TEST_F(TimerCapacity, ServerReservesItsTimersAtStart) {
  make_loop(1);
  Echo echo;
  const auto refused = Server::start(*loop_, Endpoint::loopback_v4(0), echo);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(exhausted(refused.error())) << refused.error().message();
  loop_.reset();
  make_loop(2);  // the accept retry and the TLS sweep
  auto server = Server::start(*loop_, Endpoint::loopback_v4(0), echo);
  ASSERT_OK(server);
  EXPECT_EQ(loop_->add_timer(1s, [] {}), 0u);  // both are kept for the server
  auto stream = TcpStream::connect(server->local_endpoint());
  ASSERT_OK(stream);
  ASSERT_OK(stream->write_all(std::string_view("ping")));
  std::array<std::byte, 4> back{};
  std::size_t got = 0;
  ASSERT_OK(stream->set_nonblocking(true));
  EXPECT_TRUE(run_loop_until(*loop_, 5s, [&] {
    auto n = stream->receive(std::span(back).subspan(got));
    if (n) got += *n;
    return got == back.size();
  }));
  EXPECT_EQ(std::memcmp(back.data(), "ping", 4), 0);
}

class Quiet final : public ConnectionHandler {
 public:
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    return data.size();
  }
  void on_open(Connection&) override { ++opened; }
  int opened = 0;
};

TEST_F(TimerCapacity, ClientFailsAConnectWhoseTimeoutFindsNoTimer) {
  make_loop(1);  // the client's TLS sweep takes it
  auto listener = listen_loopback(Family::ipv4);
  auto to = listener.local_endpoint();
  ASSERT_OK(to);
  Quiet quiet;
  {
    auto client = Client::create(*loop_, quiet);
    ASSERT_OK(client);
    const auto refused = client->connect(*to, 1s);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(exhausted(refused.error())) << refused.error().message();
    EXPECT_EQ(client->pending(), 0u);
    ASSERT_OK(client->connect(*to, -1ms));  // no timeout, no timer: still allowed
    EXPECT_TRUE(run_loop_until(*loop_, 5s, [&] { return quiet.opened == 1; }));
  }
  loop_.reset();
  make_loop(0);
  auto roomy = Client::create(*loop_, quiet);
  ASSERT_OK(roomy);
  EXPECT_OK(roomy->connect(*to, 1s));
  EXPECT_TRUE(run_loop_until(*loop_, 5s, [&] { return quiet.opened == 2; }));
}

class Reconnecting final : public ReconnectingHandler {
 public:
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    return data.size();
  }
  void on_open(Connection&) override { ++opened; }
  void on_close(Connection&, std::error_code) override { ++closed; }
  int opened = 0, closed = 0;
};

TEST_F(TimerCapacity, ReconnectingClientReservesEveryTimerItNeedsAndKeepsReconnecting) {
  // Three timers of its own (the dial's, the retry, the heartbeat) and its connections' TLS sweep.
  make_loop(3);
  Reconnecting handler;
  auto listener = listen_loopback(Family::ipv4);
  auto to = listener.local_endpoint();
  ASSERT_OK(to);
  ReconnectingOptions settings;
  settings.reconnect = {.initial = 10ms, .max = 20ms};
  auto refused = ReconnectingClient::create(*loop_, to->to_string(), handler, settings);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(exhausted(refused.error())) << refused.error().message();
  loop_.reset();
  make_loop(4);
  ASSERT_OK(listener.set_nonblocking(true));
  auto client = ReconnectingClient::create(*loop_, to->to_string(), handler, settings);
  ASSERT_OK(client);
  EXPECT_EQ(loop_->add_timer(1s, [] {}), 0u);  // nothing left for anyone else
  client->start();
  for (int round = 1; round <= 3; ++round) {
    std::optional<TcpStream> peer;
    EXPECT_TRUE(run_loop_until(*loop_, 5s,
                               [&] {
                                 if (!peer)
                                   if (auto a = listener.accept()) peer = std::move(a->stream);
                                 return peer && handler.opened == round;
                               }))
        << "round " << round;
    peer.reset();  // the peer goes away: a retry timer from the reservation
    EXPECT_TRUE(run_loop_until(*loop_, 5s, [&] { return handler.closed == round; }));
  }
  EXPECT_EQ(client->stats().connects, 3u);
}

TEST_F(TimerCapacity, LookupWithoutATimerFailsEachFamilyFromTheLoop) {
  if (!resolver_engine_available(ResolverEngine::sockkit))
    GTEST_SKIP() << "sockkit's resolver is not in this build (SOCKKIT_RESOLVER=stack)";
  make_loop(1);
  ResolverConfig config;
  config.servers = {Endpoint::loopback_v4(9)};  // never asked: the lookup fails first
  auto resolver = Resolver::create(*loop_, {.engine = ResolverEngine::sockkit, .config = config});
  ASSERT_OK(resolver);
  const TimerId taken = loop_->add_timer(10s, [] {});
  ASSERT_NE(taken, 0u);
  std::vector<std::error_code> answers;
  bool inside = true;
  resolver->lookup("device.example", 80, LookupFamilies::ipv4, 1s, [&](const FamilyAnswer& a) {
    EXPECT_FALSE(inside);
    answers.push_back(a.result ? std::error_code{} : a.result.error());
  });
  inside = false;
  EXPECT_TRUE(run_loop_until(*loop_, 2s, [&] { return answers.size() == 1; }));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(exhausted(answers[0])) << answers[0].message();
  EXPECT_EQ(resolver->stats().queries_sent, 0u);
  loop_->cancel_timer(taken);
}

TEST_F(TimerCapacity, LookupWithItsTimersReservedStillTimesOut) {
  if (!resolver_engine_available(ResolverEngine::sockkit))
    GTEST_SKIP() << "sockkit's resolver is not in this build (SOCKKIT_RESOLVER=stack)";
  make_loop(2);  // the deadline and the one family's query
  auto silent = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(silent);
  auto at = silent->local_endpoint();
  ASSERT_OK(at);
  ResolverConfig config;
  config.servers = {*at};
  config.timeout = 100ms;
  config.attempts = 1;
  auto resolver = Resolver::create(*loop_, {.engine = ResolverEngine::sockkit, .config = config});
  ASSERT_OK(resolver);
  std::vector<std::error_code> answers;
  resolver->lookup("device.example", 80, LookupFamilies::ipv4, 5s, [&](const FamilyAnswer& a) {
    answers.push_back(a.result ? std::error_code{} : a.result.error());
  });
  EXPECT_TRUE(run_loop_until(*loop_, 5s, [&] { return answers.size() == 1; }));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(exhausted(answers[0])) << answers[0].message();
  EXPECT_EQ(resolver->stats().queries_sent, 1u);
}

TEST_F(TimerCapacity, MqttClientReservesItsTimersAtCreate) {
  // Two MQTT timers, three of the reconnecting client, the TLS sweep.
  make_loop(5);
  struct : mqtt::Handler {
  } handler;
  mqtt::Options settings;
  settings.target = "127.0.0.1:1883";
  settings.client_id = "meter";
  auto refused = mqtt::Client::create(*loop_, settings, handler);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(exhausted(refused.error())) << refused.error().message();
  loop_.reset();
  make_loop(6);
  auto client = mqtt::Client::create(*loop_, settings, handler);
  ASSERT_OK(client);
  EXPECT_EQ(loop_->add_timer(1s, [] {}), 0u);
}

}  // namespace
}  // namespace sockkit::test
