// SPDX-License-Identifier: MIT
// The io_uring backend doing a descriptor's I/O itself: multishot receive into
// provided buffers and multishot accept, seen through the poller seam. The
// loop-level behaviour (every server and client on the uring backend) is the
// conformance and hostile suites' uring instances.
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "poll/poller.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

// Linux `major`.`minor` or later runs the tests.
bool kernel_at_least(int major, int minor) {
  utsname u{};
  int got_major = 0, got_minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &got_major, &got_minor) != 2)
    return false;
  return got_major > major || (got_major == major && got_minor >= minor);
}

// Each test runs with the receive buffers the kernel offers (incrementally
// consumed ones from Linux 6.12) and with the fixed ones older kernels get.
class UringIo : public SockkitTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    auto p = poll::make_uring(GetParam());
    if (!p) GTEST_SKIP() << "no io_uring here: " << p.error().message();
    poller_ = std::move(*p);
  }
  void TearDown() override {
    poller_.reset();
    SockkitTest::TearDown();
  }
  // Descriptors reported readable by one wait.
  std::vector<int> readable(int timeout_ms) {
    std::array<poll::Ready, 256> out{};
    auto n = poller_->wait(out, timeout_ms);
    EXPECT_OK(n);
    std::vector<int> fds;
    for (std::size_t i = 0; n && i < *n; ++i)
      if (out[i].events & sys::kReadable) fds.push_back(out[i].handle.value);
    return fds;
  }
  bool reported(NativeHandle h, int timeout_ms) {
    for (const int fd : readable(timeout_ms))
      if (fd == h.value) return true;
    return false;
  }
  std::string text(NativeHandle h) {
    auto got = poller_->received(h);
    if (!got) return got.error().message();
    return {reinterpret_cast<const char*>(got->data()), got->size()};
  }
  // Adds `h` in receive mode; false (the test skips) on a kernel without it.
  bool receiving(NativeHandle h) {
    EXPECT_OK(poller_->add(h, sys::kReadable));
    return poller_->receive_for(h);
  }
  poll::PollerPtr poller_;
};

TEST_P(UringIo, ReceivesForAConnectionUpToItsEof) {
  auto [a, b] = connected_pair(Family::ipv4);
  if (!receiving(b.native_handle())) GTEST_SKIP() << "kernel without multishot receive";
  EXPECT_FALSE(reported(b.native_handle(), 50));  // nothing sent yet
  EXPECT_EQ(poller_->received(b.native_handle()).error(), errc::would_block);
  ASSERT_OK(a.write_all("hello"));
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  EXPECT_EQ(text(b.native_handle()), "hello");
  poller_->consume(b.native_handle(), 2);
  EXPECT_EQ(text(b.native_handle()), "llo");
  EXPECT_TRUE(reported(b.native_handle(), 0)) << "bytes not taken are reported again";
  poller_->consume(b.native_handle(), 3);
  EXPECT_EQ(poller_->received(b.native_handle()).error(), errc::would_block);
  ASSERT_OK(a.shutdown_write());
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  auto eof = poller_->received(b.native_handle());
  ASSERT_OK(eof);
  EXPECT_TRUE(eof->empty()) << "the peer's EOF is an empty span";
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(UringIo, AResetIsTheSocketsError) {
  auto [a, b] = connected_pair(Family::ipv4);
  if (!receiving(b.native_handle())) GTEST_SKIP() << "kernel without multishot receive";
  ASSERT_OK(a.set_linger(std::chrono::seconds(0)));
  ASSERT_OK(a.close());  // RST
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  auto got = poller_->received(b.native_handle());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), errc::connection_reset);
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(UringIo, WhatCameBeforeAPauseWaitsAndIsReportedOnResume) {
  auto [a, b] = connected_pair(Family::ipv4);
  if (!receiving(b.native_handle())) GTEST_SKIP() << "kernel without multishot receive";
  ASSERT_OK(a.write_all("abc"));
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  ASSERT_OK(poller_->modify(b.native_handle(), 0));  // the reader pauses
  ASSERT_OK(a.write_all("def"));                     // stays in the socket meanwhile
  EXPECT_FALSE(reported(b.native_handle(), 100)) << "a paused reader was reported";
  ASSERT_OK(poller_->modify(b.native_handle(), sys::kReadable));
  std::string all;
  for (int i = 0; i < 20 && all.size() < 6; ++i) {
    if (!reported(b.native_handle(), 1000)) continue;
    while (poller_->received(b.native_handle())) {
      all += text(b.native_handle());
      poller_->consume(b.native_handle(), poller_->received(b.native_handle())->size());
    }
  }
  EXPECT_EQ(all, "abcdef") << "bytes lost or reordered across the pause";
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(UringIo, OneReceiveTakesWhatTheSocketHoldsUpToItsUnit) {
  auto [a, b] = connected_pair(Family::ipv4);
  const std::string burst(48 * 1024, 'x');
  ASSERT_OK(a.write_all(burst));  // all in b's socket before its receive is armed
  if (!receiving(b.native_handle())) GTEST_SKIP() << "kernel without multishot receive";
  const std::size_t unit = poller_->receive_unit();
  if (!GetParam()) {
    EXPECT_EQ(unit, 16u * 1024) << "the fixed buffers";
  } else if (kernel_at_least(6, 12)) {
    EXPECT_EQ(unit, 64u * 1024) << "this kernel consumes buffers incrementally";
  }
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  auto first = poller_->received(b.native_handle());
  ASSERT_OK(first);
  EXPECT_EQ(first->size(), std::min(burst.size(), unit)) << "one completion, one span";
  std::size_t total = 0;
  for (int i = 0; i < 50 && total < burst.size(); ++i) {
    while (auto got = poller_->received(b.native_handle())) {
      total += got->size();
      poller_->consume(b.native_handle(), got->size());
    }
    if (total < burst.size()) (void)reported(b.native_handle(), 100);
  }
  EXPECT_EQ(total, burst.size());
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(UringIo, ReceivesThatFollowEachOtherInOneBufferAreOneSpan) {
  auto [a, b] = connected_pair(Family::ipv4);
  if (!receiving(b.native_handle())) GTEST_SKIP() << "kernel without multishot receive";
  ASSERT_OK(a.write_all("abc"));
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  ASSERT_OK(a.write_all("def"));  // a second completion, nothing taken yet
  for (int i = 0; i < 3; ++i)
    (void)readable(50);
  const bool incremental = poller_->receive_unit() > 16 * 1024;
  if (incremental) {
    EXPECT_EQ(text(b.native_handle()), "abcdef") << "one span over both receives";
    poller_->consume(b.native_handle(), 4);
    EXPECT_EQ(text(b.native_handle()), "ef") << "consumed across the first receive";
  } else {
    EXPECT_EQ(text(b.native_handle()), "abc") << "a fixed buffer per receive";
    poller_->consume(b.native_handle(), 3);
    EXPECT_EQ(text(b.native_handle()), "def");
  }
  ASSERT_OK(poller_->remove(b.native_handle()));
}

// A reader that takes a few bytes at a time: each consume moves past exactly
// what it took, within one receive and across into the next.
TEST_P(UringIo, APartlyConsumedReceiveGivesItsRestThenWhatFollows) {
  auto [a, b] = connected_pair(Family::ipv4);
  if (!receiving(b.native_handle())) GTEST_SKIP() << "kernel without multishot receive";
  ASSERT_OK(a.write_all("abcd"));
  ASSERT_TRUE(reported(b.native_handle(), 2000));
  poller_->consume(b.native_handle(), 1);
  EXPECT_EQ(text(b.native_handle()), "bcd");
  poller_->consume(b.native_handle(), 2);
  EXPECT_EQ(text(b.native_handle()), "d");
  poller_->consume(b.native_handle(), 0);
  EXPECT_EQ(text(b.native_handle()), "d") << "nothing taken, nothing moves";
  ASSERT_OK(a.write_all("efg"));
  for (int i = 0; i < 3; ++i)
    (void)readable(50);
  const bool incremental = poller_->receive_unit() > 16 * 1024;
  EXPECT_EQ(text(b.native_handle()), incremental ? "defg" : "d");
  poller_->consume(b.native_handle(), 2);
  EXPECT_EQ(text(b.native_handle()), "fg") << "the rest of the first, then into the second";
  poller_->consume(b.native_handle(), 2);
  EXPECT_FALSE(poller_->received(b.native_handle())) << "all taken: nothing to read";
  ASSERT_OK(poller_->remove(b.native_handle()));
}

// More connections with data than the ring has room for: the ones that find
// no buffer wait, and get their bytes once others give theirs back. Each
// sends up to a receive unit (48 KiB at most: what an unread socket surely
// takes), so that the ring runs dry with either layout.
TEST_P(UringIo, MoreConnectionsThanBuffersAllGetTheirBytes) {
  constexpr int kConnections = 100;
  const std::size_t size = std::min<std::size_t>(poller_->receive_unit(), 48 * 1024);
  std::vector<std::pair<TcpStream, TcpStream>> pairs;
  std::vector<std::string> sent;
  for (int i = 0; i < kConnections; ++i) {
    pairs.push_back(connected_pair(Family::ipv4));
    if (!receiving(pairs.back().second.native_handle()))
      GTEST_SKIP() << "kernel without multishot receive";
    std::string message = "message " + std::to_string(i) + " ";
    message.resize(size, static_cast<char>('a' + i % 26));
    ASSERT_OK(pairs.back().first.write_all(message));
    sent.push_back(std::move(message));
  }
  // Nothing is taken: connections with data hold buffers (and are reported
  // again at every wait), until no new one shows up.
  std::map<int, bool> holding;
  for (int quiet = 0; quiet < 5;) {
    const std::size_t before = holding.size();
    for (const int fd : readable(20))
      holding[fd] = true;
    quiet = holding.size() == before ? quiet + 1 : 0;
  }
  EXPECT_LT(holding.size(), std::size_t{kConnections}) << "the ring never ran dry";
  EXPECT_GT(holding.size(), 0u);
  std::map<int, std::string> got;
  std::size_t complete = 0;
  for (int round = 0; round < 500 && complete < kConnections; ++round) {
    for (const int fd : readable(100)) {
      const NativeHandle h{fd};
      while (auto piece = poller_->received(h)) {
        got[fd] += text(h);
        poller_->consume(h, piece->size());
      }
    }
    complete = 0;
    for (const auto& [fd, text] : got)
      complete += text.size() == size;
  }
  ASSERT_EQ(complete, std::size_t{kConnections}) << "a starved receive never resumed";
  for (int i = 0; i < kConnections; ++i) {
    const NativeHandle h = pairs[static_cast<std::size_t>(i)].second.native_handle();
    EXPECT_EQ(got[h.value], sent[static_cast<std::size_t>(i)]) << "connection " << i;
    ASSERT_OK(poller_->remove(h));
  }
}

TEST_P(UringIo, AcceptsOnAListenerAndHandsOverNonBlockingDescriptors) {
  auto listener = listen_loopback(Family::ipv4);
  ASSERT_OK(poller_->add(listener.native_handle(), sys::kReadable));
  if (!poller_->accept_for(listener.native_handle()))
    GTEST_SKIP() << "kernel without multishot accept";
  auto at = listener.local_endpoint();
  ASSERT_OK(at);
  std::vector<TcpStream> clients;
  for (int i = 0; i < 3; ++i) {
    auto c = TcpStream::connect(*at, 2s);
    ASSERT_OK(c);
    clients.push_back(std::move(*c));
  }
  std::vector<int> accepted;
  for (int i = 0; i < 20 && accepted.size() < 3; ++i) {
    if (!reported(listener.native_handle(), 1000)) continue;
    while (auto h = poller_->accepted(listener.native_handle()))
      accepted.push_back(h->value);
  }
  ASSERT_EQ(accepted.size(), 3u);
  for (const int fd : accepted) {
    EXPECT_TRUE(::fcntl(fd, F_GETFL) & O_NONBLOCK);
    EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
    ::close(fd);
  }
  // Accepted but never taken: removing the listener closes them (the fixture
  // counts descriptors).
  auto late = TcpStream::connect(*at, 2s);
  ASSERT_OK(late);
  EXPECT_TRUE(reported(listener.native_handle(), 2000));
  ASSERT_OK(poller_->remove(listener.native_handle()));
}

INSTANTIATE_TEST_SUITE_P(Buffers, UringIo, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "incremental" : "fixed";
                         });

}  // namespace
}  // namespace sockkit::test
