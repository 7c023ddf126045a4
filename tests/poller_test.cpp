// SPDX-License-Identifier: MIT
// The poller seam's contract, the same for every backend in this build.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "poll/poller.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

class PollerContract : public SockkitTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    auto p = poll::make_poller(GetParam());
    if (!p && GetParam() == Backend::uring) GTEST_SKIP() << "kernel refuses io_uring here";
    ASSERT_OK(p);
    poller_ = std::move(*p);
  }
  void TearDown() override {
    poller_.reset();
    SockkitTest::TearDown();
  }
  // Ready events for `h` after one wait.
  unsigned events_for(NativeHandle h, int timeout_ms) {
    std::array<poll::Ready, 64> out{};
    auto n = poller_->wait(out, timeout_ms);
    EXPECT_OK(n);
    unsigned events = 0;
    for (std::size_t i = 0; n && i < *n; ++i)
      if (out[i].handle == h) events |= out[i].events;
    return events;
  }
  bool edge() const { return GetParam() == Backend::epoll_edge; }
  poll::PollerPtr poller_;
};

TEST_P(PollerContract, ReportsReadableOnlyWhenDataArrives) {
  auto [a, b] = connected_pair(Family::ipv4);
  ASSERT_OK(poller_->add(b.native_handle(), sys::kReadable));
  EXPECT_EQ(events_for(b.native_handle(), 50), 0u);  // times out: nothing to read
  ASSERT_OK(a.write_all("x"));
  EXPECT_TRUE(events_for(b.native_handle(), 2000) & sys::kReadable);
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(PollerContract, WritableInterestCanBeTurnedOnAndOff) {
  auto [a, b] = connected_pair(Family::ipv4);
  ASSERT_OK(poller_->add(a.native_handle(), sys::kWritable));
  EXPECT_TRUE(events_for(a.native_handle(), 2000) & sys::kWritable);
  ASSERT_OK(poller_->modify(a.native_handle(), sys::kReadable));
  EXPECT_EQ(events_for(a.native_handle(), 50), 0u);
  ASSERT_OK(poller_->modify(a.native_handle(), sys::kReadable | sys::kWritable));
  EXPECT_TRUE(events_for(a.native_handle(), 2000) & sys::kWritable);
  ASSERT_OK(poller_->remove(a.native_handle()));
  EXPECT_EQ(events_for(a.native_handle(), 50), 0u);
}

TEST_P(PollerContract, LevelTriggeredRepeatsUntilDrainedEdgeTriggeredDoesNot) {
  auto [a, b] = connected_pair(Family::ipv4);
  ASSERT_OK(poller_->add(b.native_handle(), sys::kReadable));
  ASSERT_OK(a.write_all("0123456789"));
  EXPECT_TRUE(events_for(b.native_handle(), 2000) & sys::kReadable);
  char half[5];
  ASSERT_OK(b.read_exact(std::span<char>(half)));  // leave 5 bytes unread
  // The edge-triggered trap: edge-triggered does not report the rest again.
  if (edge()) {
    EXPECT_EQ(events_for(b.native_handle(), 100), 0u);
  } else {
    EXPECT_TRUE(events_for(b.native_handle(), 2000) & sys::kReadable);
  }
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(PollerContract, PeerCloseWakesTheReader) {
  auto [a, b] = connected_pair(Family::ipv4);
  ASSERT_OK(poller_->add(b.native_handle(), sys::kReadable));
  ASSERT_OK(a.close());
  EXPECT_NE(events_for(b.native_handle(), 2000) & (sys::kReadable | sys::kHangup), 0u);
  ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(PollerContract, ManyDescriptorsAreAllReported) {
  std::vector<std::pair<TcpStream, TcpStream>> pairs;
  for (int i = 0; i < 40; ++i)
    pairs.push_back(connected_pair(Family::ipv4));
  for (auto& [a, b] : pairs)
    ASSERT_OK(poller_->add(b.native_handle(), sys::kReadable));
  for (auto& [a, b] : pairs)
    ASSERT_OK(a.write_all("x"));
  std::vector<bool> seen(pairs.size());
  std::size_t count = 0;
  const auto start = LoopClock::now();
  while (count < pairs.size() && elapsed_ms(start) < 5000) {
    std::array<poll::Ready, 16> out{};  // smaller than the set: needs several waits
    auto n = poller_->wait(out, 100);
    ASSERT_OK(n);
    for (std::size_t i = 0; i < *n; ++i) {
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        if (pairs[k].second.native_handle() == out[i].handle && !seen[k]) {
          seen[k] = true;
          ++count;
          char c;
          ASSERT_OK(pairs[k].second.read_exact(std::span<char>(&c, 1)));
        }
      }
    }
  }
  EXPECT_EQ(count, pairs.size());
  for (auto& [a, b] : pairs)
    ASSERT_OK(poller_->remove(b.native_handle()));
}

TEST_P(PollerContract, BadRegistrationsAreErrorsNotCrashes) {
  auto [a, b] = connected_pair(Family::ipv4);
  EXPECT_FALSE(poller_->modify(b.native_handle(), sys::kReadable));  // not added
  EXPECT_FALSE(poller_->remove(b.native_handle()));
  EXPECT_FALSE(poller_->add(NativeHandle{}, sys::kReadable));
  ASSERT_OK(poller_->add(b.native_handle(), sys::kReadable));
  EXPECT_FALSE(poller_->add(b.native_handle(), sys::kReadable));  // twice
  ASSERT_OK(poller_->remove(b.native_handle()));
}

// Closed behind the poller's back (against the rules): epoll and io_uring
// forget it, poll reports it; a backend never hands the loop the stack's
// "invalid descriptor" bit, only an error for the handler to read.
TEST_P(PollerContract, ADescriptorClosedWhileWatchedIsAnErrorOrNothing) {
  if (GetParam() == Backend::select) GTEST_SKIP() << "select() fails the whole wait (EBADF)";
  auto [a, b] = connected_pair(Family::ipv4);
  const NativeHandle watched = b.native_handle();
  ASSERT_OK(poller_->add(watched, sys::kReadable));
  ASSERT_OK(b.close());
  const unsigned events = events_for(watched, 50);
  EXPECT_EQ(events & sys::kInvalid, 0u);
  if (events != 0) {
    EXPECT_TRUE(events & sys::kError) << "events " << events;
  }
  (void)poller_->remove(watched);  // may fail: the descriptor is gone
}

INSTANTIATE_TEST_SUITE_P(Backends, PollerContract, ::testing::ValuesIn(compiled_backends()),
                         backend_param_name);

using PollerLimits = SockkitTest;

// select() must never write past an fd_set: a descriptor >= FD_SETSIZE is refused.
TEST_F(PollerLimits, SelectRefusesADescriptorPastFdSetsize) {
  SOCKKIT_REQUIRE(descriptor_limit);  // lwIP: ConstrainedLwip.SelectReportsItsLimit
  auto p = poll::make_poller(Backend::select);
  if (!p && p.error() == make_error_code(failure::backend_unavailable))
    GTEST_SKIP() << "select is not built here (SOCKKIT_BACKENDS)";
  ASSERT_OK(p);
  const int limit = (*p)->descriptor_limit();
  EXPECT_EQ(limit, 1024);  // FD_SETSIZE on Linux
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max <= static_cast<rlim_t>(limit)) GTEST_SKIP() << "hard RLIMIT_NOFILE too low";
  rlimit raised = saved;
  raised.rlim_cur = static_cast<rlim_t>(limit) + 16;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &raised), 0);
  auto s = Socket::open(Family::ipv4, SocketType::stream);
  ASSERT_OK(s);
  const int high = ::fcntl(s->native_handle().value, F_DUPFD_CLOEXEC, limit);
  ASSERT_GE(high, limit);
  auto st = (*p)->add(NativeHandle{high}, sys::kReadable);
  EXPECT_ERRC(st, errc::limit_exceeded);
  EXPECT_EQ(st.error(), make_error_code(failure::limit_reached));
  EXPECT_OK((*p)->add(s->native_handle(), sys::kReadable));  // a low one is fine
  EXPECT_OK((*p)->remove(s->native_handle()));
  ::close(high);
  setrlimit(RLIMIT_NOFILE, &saved);
}

TEST_F(PollerLimits, BackendNamesRoundTrip) {
  for (Backend b :
       {Backend::select, Backend::poll, Backend::epoll, Backend::epoll_edge, Backend::uring}) {
    auto parsed = parse_backend(to_string(b));
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, b);
  }
  EXPECT_ERRC(parse_backend("kqueue"), errc::invalid_argument);
  const auto compiled = compiled_backends();
  const bool has_epoll =
      std::find(compiled.begin(), compiled.end(), Backend::epoll) != compiled.end();
  EXPECT_EQ(default_backend(), has_epoll ? Backend::epoll : Backend::poll);
}

// Where a kernel refuses io_uring (containers block it with seccomp), asking for
// it is a clear not-supported error. A child process installs such a filter.
TEST_F(PollerLimits, RefusedIoUringIsNotSupported) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!refuse_io_uring_setup(ENOSYS)) ::_exit(3);
    auto p = poll::make_uring();
    ::_exit(!p && p.error() == errc::not_supported ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) GTEST_SKIP() << "cannot install a seccomp filter here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "make_uring did not report not_supported";
}

}  // namespace
}  // namespace sockkit::test
