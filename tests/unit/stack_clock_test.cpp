// SPDX-License-Identifier: MIT
// The stack's millisecond clock: a 32-bit tick that wraps every 49.7 days,
// widened so that time after the wrap is still later than time before it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

#include "sockkit/clock.hpp"
#include "sockkit/event_loop.hpp"
#include "sys/wrap_counter.hpp"

namespace sockkit {
namespace {

constexpr std::int64_t kWrap = std::int64_t{1} << 32;

TEST(WrapCounter, TicksBeforeTheFirstWrapAreThemselves) {
  sys::WrapCounter counter;
  EXPECT_EQ(counter.widen(0), 0);
  EXPECT_EQ(counter.widen(5), 5);
  EXPECT_EQ(counter.widen(5), 5) << "the same tick again is no wrap";
  EXPECT_EQ(counter.widen(0xFFFFFFFFu), 0xFFFFFFFF);
}

TEST(WrapCounter, ATickSmallerThanTheOneBeforeHasWrapped) {
  sys::WrapCounter counter;
  const std::int64_t before = counter.widen(0xFFFFFFF0u);
  const std::int64_t after = counter.widen(0x10u);
  EXPECT_EQ(after, kWrap + 0x10);
  EXPECT_EQ(after - before, 0x20) << "32 ms passed across the wrap";
}

TEST(WrapCounter, EveryWrapIsCounted) {
  sys::WrapCounter counter;
  for (int wrap = 1; wrap <= 3; ++wrap) {
    (void)counter.widen(0xF0000000u);
    EXPECT_EQ(counter.widen(7), wrap * kWrap + 7);
  }
}

TEST(WrapCounter, ADeadlineSetBeforeTheWrapIsReachedAfterIt) {
  sys::WrapCounter counter;
  const StackClock::time_point set_at{StackClock::duration{counter.widen(0xFFFFFF00u)}};
  const auto deadline = set_at + std::chrono::milliseconds(1000);
  const StackClock::time_point just_after{StackClock::duration{counter.widen(0x10u)}};
  EXPECT_LT(just_after, deadline) << "272 ms after setting it: not yet";
  const StackClock::time_point later{StackClock::duration{counter.widen(0x400u)}};
  EXPECT_GE(later, deadline) << "1,280 ms after: due";
}

TEST(StackClock, AdvancesWithTimeAndNeverGoesBack) {
  // Read it until 5 ms have passed (no sleeping: a board has no sleep()).
  const auto start = StackClock::now();
  auto last = start;
  for (long reads = 0; reads < 1'000'000'000 && last - start < std::chrono::milliseconds(5);
       ++reads) {
    const auto now = StackClock::now();
    ASSERT_GE(now, last) << "after " << reads << " reads";
    last = now;
  }
  EXPECT_GE(last - start, std::chrono::milliseconds(5));
}

TEST(StackClock, TheLoopsTimeIsLoopClocksTime) {
  auto loop = EventLoop::create();
  ASSERT_TRUE(loop);
  const LoopClock::time_point before = LoopClock::now();
  const EventLoop::Clock::time_point seen = loop->now();
  ASSERT_TRUE(loop->run_once(std::chrono::milliseconds(0)));
  EXPECT_GE(loop->now(), before) << "the loop's time is read from LoopClock";
  EXPECT_LE(seen - before, std::chrono::seconds(1));
}

}  // namespace
}  // namespace sockkit
