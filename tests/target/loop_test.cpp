// SPDX-License-Identifier: MIT
// The event loop and the bare-metal stack on the board itself, no network
// needed: timers on the board's clock, and a server and a client on one loop
// talking over lwIP's loopback interface.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "board.h"
#include "sockkit/sockkit.hpp"
#include "target/handlers.hpp"

namespace sockkit::target {
namespace {

using namespace std::chrono_literals;

std::vector<std::byte> pattern(std::size_t size) {
  std::vector<std::byte> v(size);
  for (std::size_t i = 0; i < size; ++i)
    v[i] = static_cast<std::byte>((i * 7 + i / 251) & 0xff);
  return v;
}

TEST(BoardLoop, TimersFireInDeadlineOrderOnTheBoardClock) {
  auto loop = EventLoop::create({.backend = Backend::poll});
  ASSERT_TRUE(loop) << loop.error().message();
  std::vector<int> order;
  const std::uint32_t start = board_millis();
  (void)loop->add_timer(30ms, [&] { order.push_back(30); });
  (void)loop->add_timer(10ms, [&] { order.push_back(10); });
  (void)loop->add_timer(20ms, [&] { order.push_back(20); });
  EXPECT_TRUE(loop->run_until([&] { return order.size() == 3; }, EventLoop::Clock::now() + 2s));
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
  EXPECT_GE(board_millis() - start, 30u);
}

TEST(BoardLoop, AServerAndAClientOnOneLoopEchoEveryByteOverLoopback) {
  auto loop = EventLoop::create({.backend = Backend::poll});
  ASSERT_TRUE(loop) << loop.error().message();
  Echo echo;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo, {.max_connections = 4});
  ASSERT_TRUE(server) << server.error().message();
  const auto payload = pattern(256 * 1024);
  Collector collector(payload);
  auto client = Client::create(*loop, collector);
  ASSERT_TRUE(client) << client.error().message();
  ASSERT_TRUE(client->connect(server->local_endpoint(), 2s));
  EXPECT_TRUE(loop->run_until([&] { return collector.got.size() >= payload.size(); },
                              EventLoop::Clock::now() + 20s));
  EXPECT_TRUE(collector.got == payload) << collector.got.size() << " bytes came back";
}

TEST(BoardLoop, ConnectingWhereNobodyListensIsRefused) {
  auto loop = EventLoop::create({.backend = Backend::poll});
  ASSERT_TRUE(loop) << loop.error().message();
  struct Refused : ConnectionHandler {
    Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
      return d.size();
    }
    void on_connect_failed(const Endpoint&, ErrorCode why) override { reason = why; }
    ErrorCode reason;
  } handler;
  auto client = Client::create(*loop, handler);
  ASSERT_TRUE(client) << client.error().message();
  ASSERT_TRUE(client->connect(Endpoint::loopback_v4(9), 2s));
  EXPECT_TRUE(loop->run_until([&] { return bool(handler.reason); }, EventLoop::Clock::now() + 5s));
  EXPECT_EQ(handler.reason, errc::connection_refused) << handler.reason.message();
}

}  // namespace
}  // namespace sockkit::target
