// SPDX-License-Identifier: MIT
/// @file
/// Exponential backoff with jitter, for reconnecting.
///
/// A smart meter reconnects after 1, 2, 4, 8 … seconds, capped at 60.
/// Jitter spreads a fleet that lost the same server so it does not come back
/// in lockstep:
///
///       sockkit::BackoffSchedule s({.initial = 1s, .max = 60s, .jitter = 0.2});
///       auto wait = s.next();   // 0.8..1.2 s, then 1.6..2.4 s, …, at most 72 s
///       s.reset();              // after a connection that stayed up
#pragma once

#include <chrono>
#include <cstdint>

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// How long to wait before each reconnect attempt.
struct BackoffPolicy {
  std::chrono::milliseconds initial{1000};  ///< First wait.
  std::chrono::milliseconds max{60000};     ///< Cap on the wait before jitter.
  double multiplier = 2.0;  ///< Growth per failed attempt, taken as 1..255 (NaN: 1), to 1/65536.
  double jitter = 0.2;      ///< Each wait is scaled by a uniform factor in [1-jitter, 1+jitter];
                            ///< taken as 0..1 (NaN: 0).
  std::chrono::milliseconds reset_after{30000};  ///< A connection up this long resets the
                                                 ///< schedule to `initial`.
  unsigned max_attempts = 0;  ///< Give up after this many failed attempts in a row; 0 = never.
};

/// The waits a BackoffPolicy gives, one per failed attempt. Deterministic for
/// a given seed (tests), different per device by default (seed 0: seeded from
/// sockkit::random_bytes, see sockkit/entropy.hpp).
class BackoffSchedule {
 public:
  /// A schedule for `policy`; `seed` makes the jitter reproducible (0: from entropy).
  /// @param policy initial and maximum wait, factor, jitter, reset time.
  /// @param seed for the jitter; 0 takes one from the entropy source.
  explicit BackoffSchedule(const BackoffPolicy& policy = {}, std::uint64_t seed = 0) noexcept;
  /// The wait before the next attempt, and counts the attempt.
  /// @return the wait: the previous one times the factor, capped, with jitter.
  std::chrono::milliseconds next() noexcept;
  /// Back to `initial` (call when a connection stayed up for `reset_after`).
  void reset() noexcept;
  /// Waits handed out since the last reset.
  /// @return how many waits were handed out.
  unsigned attempts() const noexcept { return attempts_; }
  /// The policy this schedule follows.
  /// @return the policy.
  const BackoffPolicy& policy() const noexcept { return policy_; }

 private:
  std::uint64_t draw() noexcept;
  BackoffPolicy policy_;
  // The policy in 16.16 fixed point: a device without a floating-point unit
  // links no double arithmetic for its reconnects.
  std::uint64_t initial_q16_;
  std::uint64_t max_q16_;
  std::uint64_t next_q16_;  // the next wait before jitter
  std::uint32_t multiplier_q16_;
  std::uint32_t jitter_q16_;
  std::uint64_t state_;
  unsigned attempts_ = 0;
};

}  // namespace sockkit

#pragma GCC visibility pop
