// SPDX-License-Identifier: MIT
// Exponential backoff with proportional jitter, in integer arithmetic.
#include "sockkit/backoff.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <span>

#include "sockkit/clock.hpp"
#include "sockkit/entropy.hpp"

namespace sockkit {
namespace {

constexpr std::uint64_t kOne = std::uint64_t{1} << 16;        // 1.0 in 16.16
constexpr std::uint64_t kLongestMs = std::uint64_t{1} << 40;  // 34 years: no overflow below
constexpr std::uint64_t kLargestMultiplier = 255 * kOne;

// A double as 16.16 fixed point, read from its IEEE 754 bits so that no
// floating-point code is linked: negatives, NaN and values below 2^-16 are 0,
// anything past `limit` (infinity too) is `limit`.
std::uint64_t to_fixed16(double x, std::uint64_t limit) noexcept {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int exponent = static_cast<int>((bits >> 52) & 0x7ff);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  if ((bits >> 63) != 0 || exponent == 0 || (exponent == 0x7ff && fraction != 0)) return 0;
  const std::uint64_t significand = fraction | (std::uint64_t{1} << 52);
  const int shift = exponent - 1075 + 16;  // value = significand * 2^(exponent - 1075)
  if (shift >= 11) return limit;           // past 2^64
  if (shift >= 0) return std::min(significand << shift, limit);
  return shift <= -64 ? 0 : std::min(significand >> -shift, limit);
}

std::uint64_t milliseconds_q16(std::chrono::milliseconds d) noexcept {
  return d.count() <= 0 ? 0 : std::min(static_cast<std::uint64_t>(d.count()), kLongestMs) << 16;
}

// splitmix64's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

BackoffSchedule::BackoffSchedule(const BackoffPolicy& policy, std::uint64_t seed) noexcept
    : policy_(policy),
      initial_q16_(milliseconds_q16(policy.initial)),
      max_q16_(std::max(milliseconds_q16(policy.max), initial_q16_)),
      next_q16_(initial_q16_),
      multiplier_q16_(static_cast<std::uint32_t>(
          std::max(to_fixed16(policy.multiplier, kLargestMultiplier), kOne))),
      jitter_q16_(static_cast<std::uint32_t>(to_fixed16(policy.jitter, kOne))),
      state_(seed) {
  if (policy_.max < policy_.initial) policy_.max = policy_.initial;
  if (state_ == 0) {
    // Each device its own sequence: no fleet reconnecting in lockstep.
    std::uint64_t drawn = 0;
    if (!random_bytes(std::as_writable_bytes(std::span(&drawn, 1)))) {
      // No source (an RTOS port that set none): at least differ by boot time,
      // address and order of making. Time and address alone coincide for
      // schedules made together (XOR of two small steps); each input is
      // mixed before they meet, and the count tells apart what still would.
      static std::atomic<std::uint32_t> made{0};
      drawn = mix(static_cast<std::uint64_t>(LoopClock::now().time_since_epoch().count())) ^
              mix(reinterpret_cast<std::uintptr_t>(this)) ^
              mix(made.fetch_add(1, std::memory_order_relaxed) + 1);
    }
    state_ = drawn ^ 0x9e3779b97f4a7c15ull;
  }
}

std::uint64_t BackoffSchedule::draw() noexcept {
  // splitmix64: tiny, no allocation, the same sequence on every platform.
  return mix(state_ += 0x9e3779b97f4a7c15ull);
}

std::chrono::milliseconds BackoffSchedule::next() noexcept {
  const std::uint64_t wait = next_q16_;
  ++attempts_;
  // wait * multiplier: below 2^40 ms times below 2^24, so no overflow.
  const std::uint64_t grown =
      (wait >> 16) * multiplier_q16_ + (((wait & 0xffff) * multiplier_q16_) >> 16);
  next_q16_ = std::min(grown, max_q16_);
  // A factor in [1 - jitter, 1 + jitter): its offset from 1 in 16.16.
  const auto uniform = static_cast<std::int64_t>(draw() >> 32);  // [0, 2^32)
  const std::int64_t offset =
      (static_cast<std::int64_t>(jitter_q16_) * (2 * uniform - (std::int64_t{1} << 32))) >> 32;
  const std::int64_t jittered =
      static_cast<std::int64_t>(wait) + static_cast<std::int64_t>(wait >> 16) * offset;
  return std::chrono::milliseconds((jittered + 0x8000) >> 16);
}

void BackoffSchedule::reset() noexcept {
  attempts_ = 0;
  next_q16_ = initial_q16_;
}

}  // namespace sockkit
