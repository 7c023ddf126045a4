// SPDX-License-Identifier: MIT
// UdpChannel: datagrams through the event loop on every backend — delivery
// with the sender, truncation, pause and resume, replies from the callback,
// destruction inside it, and a flood that cannot starve timers.
#include <optional>
#include <thread>

#include "support/backend_loop.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

struct Collect : UdpHandler {
  void on_datagram(UdpChannel& ch, std::span<const std::byte> data, const Datagram& info) override {
    got.emplace_back(reinterpret_cast<const char*>(data.data()), data.size());
    senders.push_back(info.from);
    truncated += info.truncated;
    if (echo) (void)ch.send_to(data, info.from);
    if (destroy_on_first && owner) owner->reset();
  }
  std::vector<std::string> got;
  std::vector<Endpoint> senders;
  int truncated = 0;
  bool echo = false;
  bool destroy_on_first = false;
  std::optional<UdpChannel>* owner = nullptr;
};

class UdpChannelTest : public BackendLoopTest {
 protected:
  std::optional<UdpChannel> open(Collect& handler, UdpChannelOptions options = {}) {
    auto s = UdpSocket::bind(Endpoint::loopback_v4(0));
    EXPECT_OK(s);
    auto ch = UdpChannel::create(*loop, std::move(*s), handler, options);
    EXPECT_OK(ch);
    if (!ch) return std::nullopt;
    return std::move(*ch);
  }
  bool run_until(const std::function<bool()>& done) {
    return loop->run_until(done, EventLoop::Clock::now() + 2s);
  }
};

TEST_P(UdpChannelTest, DeliversEachDatagramWithItsSender) {
  Collect c;
  auto ch = open(c);
  ASSERT_TRUE(ch);
  auto tx = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(tx);
  const auto to = *ch->socket().local_endpoint();
  ASSERT_OK(tx->send_to("one", to));
  ASSERT_OK(tx->send_to("two", to));
  ASSERT_TRUE(run_until([&] { return c.got.size() == 2; }));
  EXPECT_EQ(c.got, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(c.senders[0], *tx->local_endpoint());
  EXPECT_EQ(ch->stats().received, 2u);
}

TEST_P(UdpChannelTest, LongDatagramsArriveTruncatedAndCounted) {
  Collect c;
  auto ch = open(c, {.max_datagram = 4, .max_per_wakeup = 64});
  ASSERT_TRUE(ch);
  auto tx = UdpSocket::open(Family::ipv4);
  ASSERT_OK(tx);
  ASSERT_OK(tx->send_to("longer", *ch->socket().local_endpoint()));
  ASSERT_TRUE(run_until([&] { return c.got.size() == 1; }));
  EXPECT_EQ(c.got[0], "long");
  EXPECT_EQ(c.truncated, 1);
  EXPECT_EQ(ch->stats().truncated, 1u);
}

TEST_P(UdpChannelTest, RepliesFromTheCallbackAndPauseHoldsDatagrams) {
  Collect server;
  server.echo = true;
  auto ch = open(server);
  ASSERT_TRUE(ch);
  Collect client;
  auto peer = open(client);
  ASSERT_TRUE(peer);
  const auto to = *ch->socket().local_endpoint();
  ASSERT_OK(peer->send_to("ping", to));
  ASSERT_TRUE(run_until([&] { return client.got.size() == 1; }));
  EXPECT_EQ(client.got[0], "ping");
  ch->pause();
  ASSERT_OK(peer->send_to("held", to));
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 50ms);
  EXPECT_EQ(server.got.size(), 1u);  // waiting in the socket
  ch->resume();
  ASSERT_TRUE(run_until([&] { return server.got.size() == 2; }));
  EXPECT_EQ(server.got[1], "held");
}

TEST_P(UdpChannelTest, DestroyedInsideItsOwnCallback) {
  Collect c;
  std::optional<UdpChannel> ch = open(c);
  ASSERT_TRUE(ch);
  c.owner = &ch;
  c.destroy_on_first = true;
  auto tx = UdpSocket::open(Family::ipv4);
  ASSERT_OK(tx);
  const auto to = *ch->socket().local_endpoint();
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(tx->send_to("x", to));
  ASSERT_TRUE(run_until([&] { return !ch; }));
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 20ms);
  EXPECT_EQ(c.got.size(), 1u);  // nothing after the channel went away
}

TEST_P(UdpChannelTest, AFloodedChannelTakesTurnsWithTheOthers) {
  std::string order;  // which channel each datagram reached, in order
  struct Tag : UdpHandler {
    std::string& order;
    char name;
    Tag(std::string& o, char n) : order(o), name(n) {}
    void on_datagram(UdpChannel&, std::span<const std::byte>, const Datagram&) override {
      order += name;
    }
  } a(order, 'a'), b(order, 'b');
  auto open_tagged = [&](Tag& t) {
    auto s = UdpSocket::bind(Endpoint::loopback_v4(0));
    return UdpChannel::create(*loop, std::move(*s), t, {.max_datagram = 64, .max_per_wakeup = 8});
  };
  auto ch_a = open_tagged(a), ch_b = open_tagged(b);
  auto tx = UdpSocket::open(Family::ipv4);
  ASSERT_OK(tx);
  for (int i = 0; i < 30; ++i) {  // within lwIP's 64-datagram mailbox each
    ASSERT_OK(tx->send_to("flood", *ch_a->socket().local_endpoint()));
    ASSERT_OK(tx->send_to("flood", *ch_b->socket().local_endpoint()));
  }
  // lwIP delivers through its tcpip thread: let every datagram land first, so
  // both channels are ready from the first turn.
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(run_until([&] { return order.size() == 60; })) << order;
  // 8 datagrams per turn: neither channel reads all 30 before the other starts.
  const auto first_b = order.find('b'), first_a = order.find('a');
  EXPECT_LE(std::max(first_a, first_b), 8u) << order;
}

TEST_P(UdpChannelTest, AClosedSocketIsRefused) {
  Collect c;
  EXPECT_ERRC(UdpChannel::create(*loop, UdpSocket{}, c), errc::bad_descriptor);
}

INSTANTIATE_TEST_SUITE_P(Backends, UdpChannelTest, ::testing::ValuesIn(compiled_backends()),
                         backend_param_name);

}  // namespace
}  // namespace sockkit::test
