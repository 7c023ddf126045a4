// SPDX-License-Identifier: MIT
// Loops, servers, clients and channels are move-only values: moving one keeps
// everything made on it working, and move-assignment disposes of the old one.
#include <optional>
#include <vector>

#include "support/fixture.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using ValuesTest = SockkitTest;

// Sends `text` and reads the echo while `loop` runs.
std::string echo_through(EventLoop& loop, const Endpoint& at, const std::string& text) {
  auto stream = TcpStream::connect(at, 2s);
  if (!stream || !stream->write_all(text) || !stream->set_nonblocking(true))
    return "connect/write failed";
  std::string reply(text.size(), '\0');
  bool got = false;
  std::size_t have = 0;
  (void)run_loop_until(loop, 3s, [&] {
    auto n = stream->receive(std::span<char>(reply.data() + have, reply.size() - have));
    if (n) have += *n;
    got = have == reply.size();
    return got;
  });
  return got ? reply : "no echo";
}

TEST_F(ValuesTest, ALoopMovedAfterAServerWasMadeOnItKeepsServing) {
  std::vector<EventLoop> elsewhere;  // outlives the server, as a loop must
  auto created = EventLoop::create();
  ASSERT_OK(created);
  EchoHandler echo;
  auto server = Server::start(*created, Endpoint::loopback_v4(0), echo);
  ASSERT_OK(server);
  EventLoop loop = std::move(*created);  // the server still refers to the loop itself
  elsewhere.push_back(std::move(loop));
  EXPECT_EQ(echo_through(elsewhere.front(), server->local_endpoint(), "moved"), "moved");
}

TEST_F(ValuesTest, AServerMovedIntoAContainerKeepsItsConnections) {
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  EchoHandler echo;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo);
  ASSERT_OK(server);
  const Endpoint at = server->local_endpoint();
  auto held = TcpStream::connect(at, 2s);
  ASSERT_OK(held);
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return server->stats().open == 1; }));
  std::vector<Server> servers;
  servers.push_back(std::move(*server));
  EXPECT_EQ(servers.front().stats().open, 1u);
  EXPECT_EQ(servers.front().local_endpoint(), at);
  EXPECT_EQ(echo_through(*loop, at, "still here"), "still here");
  servers.clear();  // closes every connection at once
  ASSERT_GE(echo.closes.size(), 1u);
  EXPECT_EQ(echo.closes.front(), std::errc::operation_canceled);
}

TEST_F(ValuesTest, MoveAssigningAServerClosesTheOneItHeld) {
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  EchoHandler first_echo, second_echo;
  auto first = Server::start(*loop, Endpoint::loopback_v4(0), first_echo);
  auto second = Server::start(*loop, Endpoint::loopback_v4(0), second_echo);
  ASSERT_OK(first);
  ASSERT_OK(second);
  const Endpoint old_at = first->local_endpoint();
  const Endpoint new_at = second->local_endpoint();
  auto held = TcpStream::connect(old_at, 2s);
  ASSERT_OK(held);
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return first->stats().open == 1; }));

  *first = std::move(*second);
  ASSERT_EQ(first_echo.closes.size(), 1u);  // the old server's connection, closed at once
  EXPECT_EQ(first_echo.closes.front(), std::errc::operation_canceled);
  EXPECT_EQ(first->local_endpoint(), new_at);
  EXPECT_EQ(echo_through(*loop, new_at, "second"), "second");
  EXPECT_FALSE(TcpStream::connect(old_at, 1s));  // the old listener is gone
}

TEST_F(ValuesTest, AMovedUdpChannelIsTheOneItsCallbacksName) {
  struct Seen : UdpHandler {
    UdpChannel* channel = nullptr;
    int datagrams = 0;
    void on_datagram(UdpChannel& ch, std::span<const std::byte>, const Datagram&) override {
      channel = &ch;
      ++datagrams;
    }
  } seen;
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  auto socket = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(socket);
  auto created = UdpChannel::create(*loop, std::move(*socket), seen);
  ASSERT_OK(created);
  std::optional<UdpChannel> channel = std::move(*created);
  const auto at = channel->socket().local_endpoint();
  ASSERT_OK(at);
  auto tx = UdpSocket::open(Family::ipv4);
  ASSERT_OK(tx);
  ASSERT_OK(tx->send_to("hello", *at));
  ASSERT_TRUE(run_loop_until(*loop, 3s, [&] { return seen.datagrams == 1; }));
  EXPECT_EQ(seen.channel, &*channel);
}

TEST_F(ValuesTest, MovedFromObjectsAreEmptyAndMayBeDestroyedOrAssigned) {
  auto loop = EventLoop::create();
  ASSERT_OK(loop);
  EchoHandler echo;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo);
  auto client = Client::create(*loop, echo);
  auto resolver = Resolver::create(*loop);
  ASSERT_OK(server);
  ASSERT_OK(client);
  ASSERT_OK(resolver);
  Server s = std::move(*server);
  Client c = std::move(*client);
  Resolver r = std::move(*resolver);
  *server = std::move(s);  // assigning into a moved-from object is fine
  EXPECT_EQ(echo_through(*loop, server->local_endpoint(), "back"), "back");
  // s, c (moved from) and the others go out of scope here without a crash.
}

}  // namespace
}  // namespace sockkit::test
