// SPDX-License-Identifier: MIT
// Exponential backoff with proportional jitter.
#include "sockkit/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "sockkit/entropy.hpp"

namespace sockkit {

BackoffSchedule::BackoffSchedule(const BackoffPolicy& policy, std::uint64_t seed) noexcept
    : policy_(policy), state_(seed) {
  policy_.multiplier = std::max(policy_.multiplier, 1.0);
  policy_.jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (policy_.max < policy_.initial) policy_.max = policy_.initial;
  if (state_ == 0) {
    // Each device its own sequence: no fleet reconnecting in lockstep.
    std::uint64_t drawn = 0;
    if (!random_bytes(std::as_writable_bytes(std::span(&drawn, 1)))) {
      // No source (an RTOS port that set none): at least differ by boot time and address.
      seed =
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
          reinterpret_cast<std::uintptr_t>(this);
    }
    state_ = drawn ^ 0x9e3779b97f4a7c15ull;
  }
}

double BackoffSchedule::uniform() noexcept {
  // splitmix64: tiny, no allocation, the same sequence on every platform.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

std::chrono::milliseconds BackoffSchedule::next() noexcept {
  const double base = std::min(
      static_cast<double>(policy_.initial.count()) * std::pow(policy_.multiplier, attempts_),
      static_cast<double>(policy_.max.count()));
  ++attempts_;
  const double factor = 1.0 + policy_.jitter * (2.0 * uniform() - 1.0);
  return std::chrono::milliseconds(static_cast<long long>(std::llround(base * factor)));
}

void BackoffSchedule::reset() noexcept {
  attempts_ = 0;
}

}  // namespace sockkit
