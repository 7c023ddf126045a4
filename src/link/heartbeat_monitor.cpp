// SPDX-License-Identifier: MIT
#include "link/heartbeat_monitor.hpp"

#include "deadline.hpp"

namespace sockkit::link {

void HeartbeatMonitor::up(Clock::time_point now) noexcept {
  if (settings_.interval.count() <= 0) return down();
  phase_ = Phase::waiting;
  deadline_ = time::deadline_after(now, settings_.interval);
}

void HeartbeatMonitor::down() noexcept {
  phase_ = Phase::off;
}

bool HeartbeatMonitor::answered(Clock::time_point now) noexcept {
  if (phase_ != Phase::awaiting) return false;
  up(now);
  return true;
}

HeartbeatMonitor::Due HeartbeatMonitor::on_time(Clock::time_point now) noexcept {
  if (phase_ == Phase::off || now < deadline_) return Due::nothing;
  if (phase_ == Phase::waiting) {
    phase_ = Phase::awaiting;
    deadline_ = time::deadline_after(now, settings_.timeout);
    return Due::ping;
  }
  phase_ = Phase::off;
  return Due::dead;
}

std::optional<HeartbeatMonitor::Clock::time_point> HeartbeatMonitor::next_deadline()
    const noexcept {
  if (phase_ == Phase::off) return std::nullopt;
  return deadline_;
}

}  // namespace sockkit::link
