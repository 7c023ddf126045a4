// SPDX-License-Identifier: MIT
#include "link/dial_plan.hpp"

#include <algorithm>

#include "sockkit/error.hpp"

namespace sockkit::link {

DialPlan::DialPlan(const DialTimings& timings, DialClock::time_point deadline) noexcept
    : timings_(timings), deadline_(deadline) {}

void DialPlan::answer(Family family, std::span<const Endpoint> addresses, ErrorCode error,
                      bool last, DialClock::time_point now) {
  if (phase_ == Phase::over) return;
  for (const auto& address : addresses) {
    untried_.add(address);
    if (phase_ == Phase::connecting) known_.push_back(address);
  }
  // The most telling reason wins: "no such record" only when nothing better was said.
  if (error && (!resolve_error_ || resolve_error_ == failure::no_address)) resolve_error_ = error;
  if (family == Family::ipv6) v6_answered_ = true;
  if (last) lookup_done_ = true;

  if (phase_ == Phase::connecting) return settle(now);
  if (untried_.any()) {
    // RFC 8305 section 3: IPv6 (or the last answer) starts at once; IPv4 first
    // waits the resolution delay for IPv6.
    if (family == Family::ipv6 || v6_answered_ || lookup_done_) return begin(now);
    if (!resolution_wait_until_) resolution_wait_until_ = now + timings_.resolution_delay;
    return;
  }
  if (lookup_done_) begin(now);  // nothing at all: fails with the lookup's reason
}

void DialPlan::connected(std::uint32_t attempt, DialClock::time_point) {
  if (phase_ != Phase::connecting) return;
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const Flight& f) { return f.attempt == attempt; });
  if (it == in_flight_.end()) return;
  const Flight winner = *it;
  abandon_all_but(attempt);
  in_flight_.clear();
  phase_ = Phase::over;
  push(DialStep::Kind::established, winner.attempt, winner.address);
}

void DialPlan::connect_failed(std::uint32_t attempt, ErrorCode why, DialClock::time_point now) {
  if (phase_ != Phase::connecting) return;
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const Flight& f) { return f.attempt == attempt; });
  if (it == in_flight_.end()) return;
  const Flight lost = *it;
  in_flight_.erase(it);
  last_error_ = why;
  push(DialStep::Kind::attempt_failed, lost.attempt, lost.address, why);
  // RFC 8305 section 5: a failure starts the next address without waiting.
  if (untried_.any()) return start_next(now);
  settle(now);
}

void DialPlan::advance(DialClock::time_point now) {
  if (phase_ == Phase::over) return;
  if (now >= deadline_) {
    // Every address tried has failed and the rest of the lookup never came:
    // the last connect's reason says more than a timeout.
    const bool all_failed = last_error_ && in_flight_.empty() && !untried_.any();
    abandon_all_but(0);
    in_flight_.clear();
    if (all_failed) return fail(last_error_);
    if (phase_ == Phase::resolving) {
      phase_ = Phase::connecting;
      known_ = untried_.all();
      push(DialStep::Kind::begin);  // with nothing usable: the lookup did not finish
      return fail(make_error_code(failure::resolve_timeout));
    }
    return fail(make_error_code(failure::connect_timeout));
  }
  if (phase_ == Phase::resolving && resolution_wait_until_ && now >= *resolution_wait_until_)
    return begin(now);
  if (phase_ == Phase::connecting && next_attempt_at_ && now >= *next_attempt_at_) start_next(now);
}

bool DialPlan::next_step(DialStep& step) {
  if (next_ == steps_.size()) return false;
  step = steps_[next_++];
  if (next_ == steps_.size()) {
    steps_.clear();  // keeps the capacity
    next_ = 0;
  }
  return true;
}

std::optional<DialClock::time_point> DialPlan::next_wakeup() const noexcept {
  if (phase_ == Phase::over) return std::nullopt;
  std::optional<DialClock::time_point> at;
  if (deadline_ != DialClock::time_point::max()) at = deadline_;
  for (const auto& t : {resolution_wait_until_, next_attempt_at_})
    if (t && (!at || *t < *at)) at = t;
  return at;
}

void DialPlan::begin(DialClock::time_point now) {
  phase_ = Phase::connecting;
  resolution_wait_until_.reset();
  known_ = untried_.all();
  push(DialStep::Kind::begin);
  if (!untried_.any())
    return fail(resolve_error_ ? resolve_error_ : make_error_code(failure::no_address));
  start_next(now);
}

void DialPlan::start_next(DialClock::time_point now) {
  const Endpoint to = untried_.pop();
  const std::uint32_t attempt = ++attempts_;
  in_flight_.push_back({attempt, to});
  next_attempt_at_.reset();
  if (untried_.any()) next_attempt_at_ = now + timings_.attempt_delay;
  last_started_ = now;
  push(DialStep::Kind::connect, attempt, to);
}

void DialPlan::settle(DialClock::time_point now) {
  if (phase_ != Phase::connecting) return;
  if (in_flight_.empty()) {
    if (untried_.any()) return start_next(now);
    if (lookup_done_)
      fail(last_error_      ? last_error_
           : resolve_error_ ? resolve_error_
                            : make_error_code(failure::no_address));
    return;  // else the other family's answer is still to come
  }
  // A late answer while attempts run: it joins the Happy Eyeballs schedule.
  if (untried_.any() && !next_attempt_at_)
    next_attempt_at_ = std::max(now, last_started_ + timings_.attempt_delay);
}

void DialPlan::fail(ErrorCode why) {
  phase_ = Phase::over;
  resolution_wait_until_.reset();
  next_attempt_at_.reset();
  push(DialStep::Kind::failed, 0, {}, why);
}

void DialPlan::abandon_all_but(std::uint32_t keep) {
  for (const auto& f : in_flight_)
    if (f.attempt != keep) push(DialStep::Kind::abandon, f.attempt, f.address);
}

void DialPlan::push(DialStep::Kind kind, std::uint32_t attempt, Endpoint address, ErrorCode error) {
  steps_.push_back({kind, attempt, address, error});
}

}  // namespace sockkit::link
