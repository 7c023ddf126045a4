// SPDX-License-Identifier: MIT
// One dial as RFC 8305 (Happy Eyeballs v2) orders it, with no I/O: the driver
// feeds in DNS answers, connect outcomes and the time; the plan answers with
// steps (start a connect, abandon one, report a failure, the winner, the end)
// and the next moment it must be woken. One deadline bounds it all.
//
//   DialPlan plan({}, now + 10s);
//   plan.answer(Family::ipv4, {a}, {}, false, now);  // A first: waits 50 ms for AAAA
//   plan.advance(now + 50ms);                        // -> DialStep::connect to a
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "link/address_queue.hpp"
#include "sockkit/clock.hpp"
#include "sockkit/endpoint.hpp"

namespace sockkit::link {

using DialClock = LoopClock;

/// The two waits of RFC 8305.
struct DialTimings {
  /// Section 3: an IPv4 answer waits this long for IPv6's before connecting.
  std::chrono::milliseconds resolution_delay{50};
  /// Section 5: the next address starts this long after the previous one,
  /// without waiting for it to fail.
  std::chrono::milliseconds attempt_delay{250};
};

/// What the plan asks of its driver (connect, abandon) or tells it.
struct DialStep {
  enum class Kind : std::uint8_t {
    begin,           ///< Connecting starts; DialPlan::known() lists the addresses so far.
    connect,         ///< Start connecting to `address` as attempt `attempt`.
    abandon,         ///< Close attempt `attempt`: another won, or the deadline passed.
    attempt_failed,  ///< Attempt `attempt` to `address` failed with `error`.
    established,     ///< Attempt `attempt` to `address` is connected: the dial is won.
    failed,          ///< The dial is over without a connection; `error` says why.
  };
  Kind kind;
  std::uint32_t attempt = 0;
  Endpoint address{};
  ErrorCode error{};
};

class DialPlan {
 public:
  /// A dial that must be over by `deadline` (time_point::max(): no limit).
  DialPlan(const DialTimings& timings, DialClock::time_point deadline) noexcept;

  /// One family's answer: its addresses (possibly none) or why it has none;
  /// `last` when no further answer will come.
  void answer(Family family, std::span<const Endpoint> addresses, ErrorCode error, bool last,
              DialClock::time_point now);
  /// Attempt `attempt`'s TCP connect succeeded: every other attempt is abandoned.
  void connected(std::uint32_t attempt, DialClock::time_point now);
  /// Attempt `attempt`'s TCP connect failed: the next address starts at once.
  void connect_failed(std::uint32_t attempt, ErrorCode why, DialClock::time_point now);
  /// The time is `now`: the deadline and the two delays are checked.
  void advance(DialClock::time_point now);

  /// Takes the next step to carry out, in order. False when none is waiting.
  bool next_step(DialStep& step);
  /// True while steps wait to be taken.
  bool has_steps() const noexcept { return next_ < steps_.size(); }
  /// When advance() must next be called; nullopt once over or when nothing waits.
  std::optional<DialClock::time_point> next_wakeup() const noexcept;
  /// The deadline given at construction.
  DialClock::time_point deadline() const noexcept { return deadline_; }
  /// True once `established` or `failed` has been queued.
  bool over() const noexcept { return phase_ == Phase::over; }
  /// Every address known so far, in the order they are (or were) tried.
  const std::vector<Endpoint>& known() const noexcept { return known_; }
  /// Attempts in flight.
  std::size_t in_flight() const noexcept { return in_flight_.size(); }

 private:
  enum class Phase : std::uint8_t { resolving, connecting, over };
  struct Flight {
    std::uint32_t attempt;
    Endpoint address;
  };

  void begin(DialClock::time_point now);
  void start_next(DialClock::time_point now);
  void settle(DialClock::time_point now);
  void fail(ErrorCode why);
  void abandon_all_but(std::uint32_t keep);
  void push(DialStep::Kind kind, std::uint32_t attempt = 0, Endpoint address = {},
            ErrorCode error = {});

  DialTimings timings_;
  DialClock::time_point deadline_;
  Phase phase_ = Phase::resolving;
  bool lookup_done_ = false;
  bool v6_answered_ = false;
  std::optional<DialClock::time_point> resolution_wait_until_;
  std::optional<DialClock::time_point> next_attempt_at_;
  DialClock::time_point last_started_{};
  AddressQueue untried_;
  std::vector<Endpoint> known_;
  std::vector<Flight> in_flight_;
  std::uint32_t attempts_ = 0;
  ErrorCode resolve_error_;
  ErrorCode last_error_;
  std::vector<DialStep> steps_;  // taken from next_ on; cleared once all are taken
  std::size_t next_ = 0;
};

}  // namespace sockkit::link
