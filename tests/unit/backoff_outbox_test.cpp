// SPDX-License-Identifier: MIT
// The reconnecting client's pure parts, no sockets and no clock: the backoff
// schedule exactly (the delays it hands out are the clock it runs on), and
// the outbox's bounds and drop policies.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "net/outbox.hpp"
#include "sockkit/backoff.hpp"
#include "sockkit/entropy.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

TEST(Backoff, DoublesFromOneSecondAndCapsAtSixtyWithoutJitter) {
  BackoffSchedule s({.initial = 1s, .max = 60s, .jitter = 0});
  std::vector<long long> got;
  for (int i = 0; i < 9; ++i)
    got.push_back(s.next().count());
  EXPECT_EQ(got,
            (std::vector<long long>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000}));
  EXPECT_EQ(s.attempts(), 9u);
  s.reset();
  EXPECT_EQ(s.next(), 1000ms);
}

TEST(Backoff, JitterStaysInItsBandAndDiffersPerSeed) {
  BackoffSchedule a({.initial = 1s, .max = 60s, .jitter = 0.2}, 1);
  BackoffSchedule b({.initial = 1s, .max = 60s, .jitter = 0.2}, 2);
  BackoffSchedule a_again({.initial = 1s, .max = 60s, .jitter = 0.2}, 1);
  int differ = 0;
  for (int i = 0; i < 12; ++i) {
    const double base = std::min(1000.0 * (1 << std::min(i, 6)), 60000.0);
    const auto x = a.next(), y = b.next();
    EXPECT_EQ(x, a_again.next());  // deterministic per seed
    EXPECT_GE(x.count(), base * 0.8 - 1) << i;
    EXPECT_LE(x.count(), base * 1.2 + 1) << i;
    differ += x != y;
  }
  EXPECT_GE(differ, 10) << "two devices should not retry in lockstep";
}

TEST(Backoff, NonsensePoliciesAreMadeSafe) {
  BackoffSchedule s({.initial = 500ms, .max = 100ms, .multiplier = 0.5, .jitter = 7});
  for (int i = 0; i < 5; ++i) {
    const auto d = s.next();
    EXPECT_GE(d, 0ms);
    EXPECT_LE(d, 1000ms);  // max raised to initial, jitter clamped to 100 %
  }
}

TEST(Backoff, WithoutAnEntropySourceEachScheduleStillDiffers) {
  // A device whose port set no random source: two clients (or two devices
  // booted alike) must not wait in lockstep all the same.
  set_entropy_source([](std::span<std::byte>) noexcept { return false; });
  BackoffSchedule a({.initial = 1s, .max = 60s, .jitter = 0.2});
  BackoffSchedule b({.initial = 1s, .max = 60s, .jitter = 0.2});
  set_entropy_source(nullptr);
  int differ = 0;
  for (int i = 0; i < 8; ++i) {
    const auto x = a.next(), y = b.next();
    const double base = std::min(1000.0 * (1 << i), 60000.0);
    EXPECT_GE(x.count(), base * 0.8 - 1) << i;
    EXPECT_LE(x.count(), base * 1.2 + 1) << i;
    differ += x != y;
  }
  EXPECT_GE(differ, 6);
}

TEST(Backoff, WithoutAnEntropySourceSchedulesMadeTogetherNeverShareASequence) {
  // Made one after another, next to each other in memory, within the
  // clock's resolution: time and address alone can coincide.
  set_entropy_source([](std::span<std::byte>) noexcept { return false; });
  std::vector<BackoffSchedule> many;
  many.reserve(256);
  for (int i = 0; i < 256; ++i)
    many.emplace_back(BackoffPolicy{.initial = 1s, .max = 60s, .jitter = 0.5});
  set_entropy_source(nullptr);
  std::vector<std::vector<long long>> sequences;
  for (auto& s : many) {
    std::vector<long long> seq;
    for (int i = 0; i < 6; ++i)
      seq.push_back(s.next().count());
    sequences.push_back(std::move(seq));
  }
  std::sort(sequences.begin(), sequences.end());
  EXPECT_EQ(std::adjacent_find(sequences.begin(), sequences.end()), sequences.end())
      << "two schedules wait in lockstep";
}

TEST(Backoff, FractionalFactorsGrowAsTheirPowers) {
  BackoffSchedule s({.initial = 1s, .max = 60s, .multiplier = 1.5, .jitter = 0});
  std::vector<long long> got;
  for (int i = 0; i < 12; ++i)
    got.push_back(s.next().count());
  EXPECT_EQ(got, (std::vector<long long>{1000, 1500, 2250, 3375, 5063, 7594, 11391, 17086, 25629,
                                         38443, 57665, 60000}));
}

TEST(Backoff, AHugeFactorOrCapSaturatesInsteadOfOverflowing) {
  BackoffSchedule s({.initial = 1h,
                     .max = std::chrono::hours(24 * 365 * 1000),
                     .multiplier = 1e300,
                     .jitter = 0});
  EXPECT_EQ(s.next(), 1h);
  for (int i = 0; i < 40; ++i) {
    const auto d = s.next();
    EXPECT_GE(d, 1h);
    EXPECT_LE(d, std::chrono::hours(24 * 365 * 1000));
  }
  BackoffSchedule nan(
      {.initial = 2s, .max = 60s, .multiplier = std::nan(""), .jitter = std::nan("")});
  EXPECT_EQ(nan.next(), 2s);  // a factor that is not a number grows nothing
  EXPECT_EQ(nan.next(), 2s);
}

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(Outbox, DropOldestMakesRoomAndCountsWhatItDropped) {
  net::Outbox box(10, OutboxOverflow::drop_oldest);
  EXPECT_EQ(box.push(bytes("aaaa")).messages, 0u);
  EXPECT_EQ(box.push(bytes("bbbb")).messages, 0u);
  auto d = box.push(bytes("cccc"));  // 12 > 10: "aaaa" goes
  EXPECT_EQ(d.messages, 1u);
  EXPECT_EQ(d.bytes, 4u);
  EXPECT_FALSE(d.refused_new);
  EXPECT_EQ(box.bytes(), 8u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(box.front().data()), 4), "bbbb");
  auto huge = box.push(bytes("0123456789abc"));  // can never fit
  EXPECT_TRUE(huge.refused_new);
  EXPECT_EQ(box.messages(), 2u);
}

TEST(Outbox, DropNewestKeepsWhatIsQueued) {
  net::Outbox box(8, OutboxOverflow::drop_newest);
  EXPECT_FALSE(box.push(bytes("aaaa")).refused_new);
  EXPECT_FALSE(box.push(bytes("bbbb")).refused_new);
  auto d = box.push(bytes("c"));
  EXPECT_TRUE(d.refused_new);
  EXPECT_EQ(d.messages, 1u);
  EXPECT_EQ(box.bytes(), 8u);
}

}  // namespace
}  // namespace sockkit::test
