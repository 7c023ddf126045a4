// SPDX-License-Identifier: MIT
// Two peers that both stop reading: each side's window closes, each side's
// persist timer sends a one-byte zero-window probe, and lwIP moves its send
// sequence past the probe byte. From then on every empty ACK claims a byte the
// other side has no room for; answering each with an ACK of its own makes the
// two ACK each other forever, and on loopback that loop runs inside one
// netif_poll call with the core lock held: the whole stack stops. The test is
// lwIP-only (the kernel has its own rules) and waits through the probes.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

long process_cpu_ms() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1000L + usage.ru_utime.tv_usec / 1000 +
         usage.ru_stime.tv_sec * 1000L + usage.ru_stime.tv_usec / 1000;
}

// Sends until the stream would block: the peer's window and our send buffer are full.
std::size_t fill(TcpStream& s) {
  const std::string block(16 << 10, 'z');
  std::size_t sent = 0;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  int idle_rounds = 0;
  while (idle_rounds < 50 && std::chrono::steady_clock::now() < give_up) {
    auto n = s.send(block);
    if (n && *n > 0) {
      sent += *n;
      idle_rounds = 0;
    } else {
      ++idle_rounds;
      std::this_thread::sleep_for(2ms);
    }
  }
  return sent;
}

// Reads exactly `size` bytes or fails; bounded by read_exact's own timeout.
bool drain(TcpStream& s, std::size_t size) {
  std::string buffer(size, '\0');
  return s.read_exact(std::span<char>(buffer), 10s).has_value();
}

// A livelocked tcpip thread holds the core lock for good, and every call into
// lwIP then waits forever: report and end the process, which CTest shows as
// this test failing.
void die_unless_done_within(std::chrono::seconds limit, const std::atomic<bool>& done) {
  std::thread([limit, &done] {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(50ms);
    if (done) return;
    std::fprintf(stderr, "no progress in %lld s: lwIP's tcpip thread is stuck (%ld ms of CPU)\n",
                 static_cast<long long>(limit.count()), process_cpu_ms());
    std::fflush(stderr);
    std::_Exit(1);
  }).detach();
}

TEST(LwipZeroWindow, TwoPeersThatStopReadingDoNotLivelockTheStack) {
  ASSERT_STREQ(stack_name(), "lwip");
  static std::atomic<bool> done{false};
  die_unless_done_within(30s, done);
  auto listener = TcpListener::bind(Endpoint::loopback_v4(0));
  ASSERT_TRUE(listener) << listener.error().message();
  auto client = TcpStream::connect(*listener->local_endpoint(), 2s);
  ASSERT_TRUE(client) << client.error().message();
  auto accepted = listener->accept();
  ASSERT_TRUE(accepted) << accepted.error().message();
  TcpStream& server = accepted->stream;
  ASSERT_TRUE(client->set_nonblocking(true));
  ASSERT_TRUE(server.set_nonblocking(true));

  const std::size_t client_sent = fill(*client);
  const std::size_t server_sent = fill(server);
  ASSERT_GT(client_sent, 0u);
  ASSERT_GT(server_sent, 0u);

  // lwIP's first zero-window probe goes out after 1.5 s; give both sides two.
  std::this_thread::sleep_for(5s);
  const long cpu_before = process_cpu_ms();
  std::this_thread::sleep_for(1s);
  const long spent = process_cpu_ms() - cpu_before;
  EXPECT_LT(spent, 500) << "lwIP used " << spent << " ms of CPU in 1 s with both peers idle";

  // Both sides read: everything sent arrives, in both directions.
  ASSERT_TRUE(client->set_nonblocking(false));
  ASSERT_TRUE(server.set_nonblocking(false));
  auto server_reads = std::async(std::launch::async, [&] { return drain(server, client_sent); });
  EXPECT_TRUE(drain(*client, server_sent));
  EXPECT_TRUE(server_reads.get());
  done = true;
}

}  // namespace
}  // namespace sockkit::test
