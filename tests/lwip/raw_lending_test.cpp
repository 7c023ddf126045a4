// SPDX-License-Identifier: MIT
// The bare-metal stack keeps what it received in lwIP's pbufs: a connection's
// handler is shown those bytes in place, and lwIP's window opens only as they
// are consumed.
#include <cstring>
#include <string>

#include "support/fixture.hpp"
#include "sys/sys.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>('a' + i % 23);
  return s;
}

TEST(RawLending, ReceivedBytesStayInPlaceUntilConsumedAndComeInOrder) {
  auto [client, server] = connected_pair(Family::ipv4);
  const std::string sent = pattern(3000);
  ASSERT_OK(client.write_all(sent));
  const NativeHandle h = server.native_handle();
  auto ready = sys::wait(h, sys::kReadable, 5000);
  ASSERT_OK(ready);
  std::string got;
  while (got.size() < sent.size()) {
    auto first = sys::received(h);
    ASSERT_OK(first);
    ASSERT_FALSE(first->empty());
    auto again = sys::received(h);  // not consumed: the same bytes, where they were
    ASSERT_OK(again);
    EXPECT_EQ(again->data(), first->data());
    EXPECT_EQ(again->size(), first->size());
    got.append(reinterpret_cast<const char*>(first->data()), first->size());
    sys::consume_received(h, first->size());
    if (got.size() < sent.size()) ASSERT_OK(sys::wait(h, sys::kReadable, 5000));
  }
  EXPECT_EQ(got, sent);
  auto none = sys::received(h);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), errc::would_block);
}

// A loop's connection hands its handler the stack's bytes themselves.
TEST(RawLending, AHandlerIsShownTheStacksOwnBytes) {
  struct Looker : ConnectionHandler {
    Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
      auto stack = sys::received(c.native_handle());
      in_place = in_place && stack && stack->data() == data.data();
      seen += data.size();
      return data.size();
    }
    bool in_place = true;
    std::size_t seen = 0;
  } looker;
  auto loop = EventLoop::create({.backend = Backend::poll});
  ASSERT_OK(loop);
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), looker);
  ASSERT_OK(server);
  auto client = TcpStream::connect(server->local_endpoint(), 5s);
  ASSERT_OK(client);
  ASSERT_OK(client->write_all(pattern(20000)));
  ASSERT_TRUE(loop->run_until([&] { return looker.seen >= 20000; }, EventLoop::Clock::now() + 5s));
  EXPECT_TRUE(looker.in_place) << "a handler was shown a copy";
}

// A peer's reset does not take away what arrived before it: those bytes are
// read first, then the reset is the error.
TEST(RawLending, WhatArrivedBeforeAResetIsReadBeforeTheReset) {
  auto [client, server] = connected_pair(Family::ipv4);
  ASSERT_OK(client.write_all("last words"));
  ASSERT_OK(client.abort());  // RST after the data
  char buf[32];
  ASSERT_OK(server.read_exact(std::span<char>(buf, 10), 5s));
  EXPECT_EQ(std::string_view(buf, 10), "last words");
  auto after = server.receive(std::span<char>(buf));
  ASSERT_FALSE(after);
  EXPECT_EQ(classify(after.error()), errc::connection_reset) << after.error().message();
}

}  // namespace
}  // namespace sockkit::test
