// SPDX-License-Identifier: MIT
// Timer heap cost at 10 to 100,000 pending timers: insert + cancel, and expire
// (+ re-insert, so the size stays put). Both should grow as log n, not n.
#include <benchmark/benchmark.h>

#include <random>

#include "loop/timer_heap.hpp"

namespace {

using sockkit::loop::TimerHeap;
using Clock = TimerHeap::Clock;

void fill(TimerHeap& heap, std::int64_t n, std::mt19937& rng) {
  const Clock::time_point t0{};
  for (std::int64_t i = 0; i < n; ++i)
    heap.add(t0 + std::chrono::milliseconds(1000 + rng() % 1000000), {}, [] {});
}

void BM_TimerInsertCancel(benchmark::State& state) {
  TimerHeap heap;
  std::mt19937 rng(1);
  fill(heap, state.range(0), rng);
  const Clock::time_point t0{};
  for (auto _ : state) {
    auto id = heap.add(t0 + std::chrono::milliseconds(1000 + rng() % 1000000), {}, [] {});
    benchmark::DoNotOptimize(heap.cancel(id));
  }
}
BENCHMARK(BM_TimerInsertCancel)->RangeMultiplier(10)->Range(10, 100000);

void BM_TimerExpire(benchmark::State& state) {
  TimerHeap heap;
  const auto n = state.range(0);
  const Clock::time_point t0{};
  std::int64_t now = 0;
  std::function<void()> again;
  again = [&] { heap.add(t0 + std::chrono::milliseconds(now + n), {}, again); };
  for (std::int64_t i = 1; i <= n; ++i)
    heap.add(t0 + std::chrono::milliseconds(i), {}, again);
  for (auto _ : state) {
    ++now;  // exactly one timer is due per step; its callback re-arms it n ms later
    benchmark::DoNotOptimize(heap.run_expired(t0 + std::chrono::milliseconds(now)));
  }
}
BENCHMARK(BM_TimerExpire)->RangeMultiplier(10)->Range(10, 100000);

}  // namespace
