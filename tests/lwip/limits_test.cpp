// SPDX-License-Identifier: MIT
// sockkit on the constrained lwIP profile (8 TCP PCBs, 12 netconns, 4 x MSS
// windows, 32 KiB heap): what a device sees when it runs out. CTest runs each
// test in its own process, because lwIP has one stack per process and closed
// connections keep their PCBs for a while (FIN_WAIT, TIME_WAIT).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "sockkit/sockkit.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

constexpr int kNetconns = 12;  // MEMP_NUM_NETCONN in lwipopts.h's constrained profile

bool echoes(TcpStream& s, const std::string& text) {
  if (!s.write_all(text, 2s)) return false;
  std::string back(text.size(), '\0');
  return s.read_exact(std::span<char>(back), 2s) && back == text;
}

TEST(ConstrainedLwip, RunningOutOfSocketsIsAClearErrorAndTheLoopKeepsServing) {
  ASSERT_STREQ(stack_name(), "lwip");
  EchoHandler echo;
  ServerThread server(Backend::poll, echo, {});
  ASSERT_TRUE(server.ok()) << server.error();
  std::vector<TcpStream> clients;
  std::error_code failure;
  for (int i = 0; i < kNetconns; ++i) {
    auto c = TcpStream::connect(server.endpoint(), 1s);
    if (!c) {
      failure = c.error();
      break;
    }
    ASSERT_TRUE(echoes(*c, "hello " + std::to_string(i))) << "connection " << i;
    clients.push_back(std::move(*c));
  }
  ASSERT_TRUE(failure) << kNetconns << " connections fit in " << kNetconns << " netconns";
  const errc why = classify(failure);
  std::printf("ran out after %zu connections: %s (%s)\n", clients.size(), failure.message().c_str(),
              to_string(why));
  // Out of netconns or PCBs: the client's socket() fails (too_many_sockets), or
  // the listener cannot take the SYN and the handshake times out.
  EXPECT_TRUE(why == errc::too_many_sockets || why == errc::timed_out ||
              why == errc::connection_refused)
      << failure.message();
  ASSERT_GE(clients.size(), 2u);
  // Every connection that got in is still served, and the loop is not spinning.
  const auto before = server.iterations();
  for (std::size_t i = 0; i < clients.size(); ++i)
    EXPECT_TRUE(echoes(clients[i], "still here " + std::to_string(i))) << "connection " << i;
  EXPECT_LT(server.iterations() - before, 1000u);
  // Freeing one makes room again.
  clients.pop_back();
  std::this_thread::sleep_for(300ms);
  auto again = TcpStream::connect(server.endpoint(), 2s);
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_TRUE(echoes(*again, "room again"));
}

// A writer into full 4 x MSS windows gets would_block, never loss: 256 KiB
// through one connection whose reader only drains now and then.
TEST(ConstrainedLwip, FullWindowsGiveBackpressureNotLoss) {
  auto listener = TcpListener::bind(Endpoint::loopback_v4(0));
  ASSERT_TRUE(listener.has_value());
  auto writer = TcpStream::connect(*listener->local_endpoint(), 2s);  // lwIP's backlog answers
  ASSERT_TRUE(writer.has_value()) << writer.error().message();
  auto accepted = listener->accept();
  ASSERT_TRUE(accepted.has_value()) << accepted.error().message();
  TcpStream reader = std::move(accepted->stream);
  ASSERT_TRUE(writer->set_nonblocking(true));
  ASSERT_TRUE(reader.set_nonblocking(true));

  constexpr std::size_t kTotal = 256 * 1024;
  std::vector<char> out(kTotal), in;
  for (std::size_t i = 0; i < kTotal; ++i)
    out[i] = static_cast<char>((i * 131) >> 7);
  std::size_t sent = 0, max_in_flight = 0, stalls = 0;
  std::array<char, 1500> buf{};
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (in.size() < kTotal && std::chrono::steady_clock::now() < deadline) {
    while (sent < kTotal) {  // write until the windows are full
      const auto chunk =
          std::span<const char>(out).subspan(sent, std::min<std::size_t>(4096, kTotal - sent));
      auto n = writer->send(std::as_bytes(chunk));
      if (!n) {
        ASSERT_EQ(classify(n.error()), errc::would_block) << n.error().message();
        ++stalls;
        break;
      }
      sent += *n;
    }
    max_in_flight = std::max(max_in_flight, sent - in.size());
    for (int reads = 0; reads < 2; ++reads) {  // a slow reader: a little at a time
      auto n = reader.receive(std::span<char>(buf));
      if (!n) {
        ASSERT_EQ(classify(n.error()), errc::would_block) << n.error().message();
        break;
      }
      in.insert(in.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    if (sent == kTotal || stalls > 0) std::this_thread::sleep_for(1ms);  // let tcpip run
  }
  ASSERT_EQ(in.size(), kTotal) << "transfer stalled";
  EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin())) << "bytes differ";
  EXPECT_GT(stalls, 0u) << "the writer never met a full window";
  // In flight at most: the sender's buffer and the receiver's window, 4 x MSS each.
  EXPECT_LE(max_in_flight, 2u * 4u * 1460u + 4096u);
  std::printf("256 KiB intact; %zu would_block stalls, at most %zu bytes in flight\n", stalls,
              max_in_flight);
}

TEST(ConstrainedLwip, SelectReportsItsLimit) {
  const auto built = compiled_backends();
  if (std::find(built.begin(), built.end(), Backend::select) == built.end())
    GTEST_SKIP() << "this build has no select backend (SOCKKIT_BACKENDS)";
  auto loop = EventLoop::create({.backend = Backend::select});
  ASSERT_TRUE(loop.has_value());
  EXPECT_EQ(loop->descriptor_limit(), kNetconns);  // lwIP's FD_SETSIZE: one bit per netconn
  struct Ignore : IoHandler {
    void on_io(unsigned) noexcept override {}
  } ignore;
  const auto past = loop->watch(NativeHandle{kNetconns}, io::readable, &ignore);
  ASSERT_FALSE(past);
  EXPECT_EQ(classify(past.error()), errc::limit_exceeded) << past.error().message();
  auto poll_loop = EventLoop::create({.backend = Backend::poll});
  ASSERT_TRUE(poll_loop.has_value());
  EXPECT_EQ(poll_loop->descriptor_limit(), 0);  // lwip_poll has no such limit
}

}  // namespace
}  // namespace sockkit::test
