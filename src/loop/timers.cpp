// SPDX-License-Identifier: MIT
// Timers: the loop's timer functions, reservations of timer slots, and Timer,
// the handle that cancels its pending run when armed again or destroyed.
#include "loop/loop_impl.hpp"

namespace sockkit {

TimerId EventLoop::add_timer(std::chrono::milliseconds delay, Function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->add_timer(delay, std::move(fn), false);
}

TimerId EventLoop::add_repeating_timer(std::chrono::milliseconds period, Function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->add_repeating_timer(period, std::move(fn), false);
}

Result<TimerReservation> EventLoop::reserve_timers(std::size_t count) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  if (!impl_->timers.reserve(count)) return failure::timers_exhausted;
  return TimerReservation(&impl_->home, count);
}

std::size_t EventLoop::max_timers() const noexcept {
  return impl_->timers.capacity();
}

TimerReservation::~TimerReservation() {
  if (loop_ != nullptr) loop_->impl_->timers.unreserve(count_);
}

TimerReservation::TimerReservation(TimerReservation&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)), count_(std::exchange(other.count_, 0)) {}

TimerReservation& TimerReservation::operator=(TimerReservation&& other) noexcept {
  if (this != &other) {
    if (loop_ != nullptr) loop_->impl_->timers.unreserve(count_);
    loop_ = std::exchange(other.loop_, nullptr);
    count_ = std::exchange(other.count_, 0);
  }
  return *this;
}

TimerId TimerReservation::add_timer(std::chrono::milliseconds delay, Function<void()> fn) {
  return loop_ == nullptr ? 0 : loop_->impl_->add_timer(delay, std::move(fn), true);
}

TimerId TimerReservation::add_repeating_timer(std::chrono::milliseconds period,
                                              Function<void()> fn) {
  return loop_ == nullptr ? 0 : loop_->impl_->add_repeating_timer(period, std::move(fn), true);
}

bool EventLoop::cancel_timer(TimerId id) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->timers.cancel(id);
}

bool EventLoop::timer_pending(TimerId id) const noexcept {
  return impl_->timers.pending(id);
}

Timer::~Timer() {
  cancel();
}

Timer::Timer(Timer&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)), id_(std::exchange(other.id_, 0)) {}

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    loop_ = std::exchange(other.loop_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

// Every way of arming comes here: one place that replaces the pending run.
bool Timer::start(EventLoop* home, bool reserved, bool repeating, std::chrono::milliseconds delay,
                  Function<void()>&& fn) {
  cancel();
  if (home == nullptr) return false;  // an empty reservation
  EventLoop::Impl& impl = *home->impl_;
  id_ = repeating ? impl.add_repeating_timer(delay, std::move(fn), reserved)
                  : impl.add_timer(delay, std::move(fn), reserved);
  loop_ = home;
  return id_ != 0;
}

bool Timer::arm(EventLoop& loop, std::chrono::milliseconds delay, Function<void()> fn) {
  return start(&loop::LoopAccess::home(loop), false, false, delay, std::move(fn));
}

bool Timer::arm(TimerReservation& slots, std::chrono::milliseconds delay, Function<void()> fn) {
  return start(slots.loop_, true, false, delay, std::move(fn));
}

bool Timer::arm_repeating(EventLoop& loop, std::chrono::milliseconds period, Function<void()> fn) {
  return start(&loop::LoopAccess::home(loop), false, true, period, std::move(fn));
}

bool Timer::arm_repeating(TimerReservation& slots, std::chrono::milliseconds period,
                          Function<void()> fn) {
  return start(slots.loop_, true, true, period, std::move(fn));
}

bool Timer::cancel() noexcept {
  if (loop_ == nullptr || id_ == 0) return false;
  const bool was = loop_->cancel_timer(std::exchange(id_, 0));
  return was;
}

bool Timer::pending() const noexcept {
  return loop_ != nullptr && id_ != 0 && loop_->timer_pending(id_);
}

std::size_t EventLoop::timer_count() const noexcept {
  return impl_->timers.size();
}

}  // namespace sockkit
