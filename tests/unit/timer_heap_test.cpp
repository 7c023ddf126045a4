// SPDX-License-Identifier: MIT
// The loop's timer heap with made-up time points: order, ties, repeats,
// cancellation from inside a callback, capacity and reservations.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "loop/timer_heap.hpp"

namespace sockkit::loop {
namespace {

using namespace std::chrono_literals;
using Clock = TimerHeap::Clock;

const Clock::time_point t0{};

TEST(TimerHeapUnit, ExpiresInDeadlineOrderAndEqualDeadlinesInInsertionOrder) {
  TimerHeap heap;
  std::vector<int> fired;
  heap.add(t0 + 30ms, {}, [&] { fired.push_back(3); });
  heap.add(t0 + 10ms, {}, [&] { fired.push_back(1); });
  heap.add(t0 + 20ms, {}, [&] { fired.push_back(2); });
  heap.add(t0 + 20ms, {}, [&] { fired.push_back(22); });
  ASSERT_TRUE(heap.next_deadline().has_value());
  EXPECT_EQ(*heap.next_deadline(), t0 + 10ms);
  EXPECT_EQ(heap.run_expired(t0 + 5ms), 0u);
  EXPECT_EQ(heap.run_expired(t0 + 20ms), 3u);
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 22}));
  EXPECT_EQ(heap.run_expired(t0 + 1s), 1u);
  EXPECT_FALSE(heap.next_deadline().has_value());
}

TEST(TimerHeapUnit, CancelledTimersNeverRunAndStaleIdsAreHarmless) {
  TimerHeap heap;
  int runs = 0;
  const TimerId a = heap.add(t0 + 1ms, {}, [&] { ++runs; });
  const TimerId b = heap.add(t0 + 2ms, {}, [&] { ++runs; });
  EXPECT_TRUE(heap.pending(a));
  EXPECT_TRUE(heap.cancel(a));
  EXPECT_FALSE(heap.cancel(a));
  EXPECT_FALSE(heap.pending(a));
  EXPECT_EQ(heap.run_expired(t0 + 10ms), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(heap.cancel(b));  // fired already
  EXPECT_FALSE(heap.cancel(0));
}

TEST(TimerHeapUnit, ARepeatingTimerRearmsAndMayCancelItself) {
  TimerHeap heap;
  int runs = 0;
  TimerId id = 0;
  id = heap.add(t0 + 10ms, 10ms, [&] {
    if (++runs == 3) heap.cancel(id);
  });
  for (int ms = 10; ms <= 60; ms += 10)
    heap.run_expired(t0 + std::chrono::milliseconds(ms));
  EXPECT_EQ(runs, 3);
  EXPECT_FALSE(heap.pending(id));
  EXPECT_EQ(heap.size(), 0u);
}

TEST(TimerHeapUnit, ACapacityRefusesTheNextTimerAndKeepsReservedSlots) {
  TimerHeap heap;
  ASSERT_TRUE(heap.set_capacity(3));
  ASSERT_TRUE(heap.reserve(1));
  EXPECT_NE(heap.add(t0 + 1ms, {}, [] {}), 0u);
  EXPECT_NE(heap.add(t0 + 2ms, {}, [] {}), 0u);
  EXPECT_EQ(heap.add(t0 + 3ms, {}, [] {}), 0u);  // the last slot is reserved
  EXPECT_NE(heap.add(
                t0 + 3ms, {}, [] {}, true),
            0u);
  EXPECT_EQ(heap.add(
                t0 + 4ms, {}, [] {}, true),
            0u);  // the reservation is used
  EXPECT_EQ(heap.run_expired(t0 + 10ms), 3u);
  EXPECT_NE(heap.add(t0 + 20ms, {}, [] {}), 0u);  // fired timers gave their slots back
}

}  // namespace
}  // namespace sockkit::loop
