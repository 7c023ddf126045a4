// SPDX-License-Identifier: MIT
// The reconnecting client's heartbeat on a fake clock: when a ping is due,
// when an answer pushes the next one back, when silence means the peer is dead.
#include <gtest/gtest.h>

#include <chrono>

#include "link/heartbeat_monitor.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using link::HeartbeatMonitor;
using Due = HeartbeatMonitor::Due;

const HeartbeatMonitor::Clock::time_point t0{std::chrono::hours(1)};

TEST(HeartbeatMonitor, PingsAnIntervalAfterUpAndDeclaresDeathATimeoutAfterThePing) {
  HeartbeatMonitor h({.interval = 30s, .timeout = 10s});
  EXPECT_FALSE(h.next_deadline());
  h.up(t0);
  ASSERT_TRUE(h.next_deadline());
  EXPECT_EQ(*h.next_deadline(), t0 + 30s);
  EXPECT_EQ(h.on_time(t0 + 29999ms), Due::nothing);
  EXPECT_EQ(h.on_time(t0 + 30s), Due::ping);
  EXPECT_TRUE(h.awaiting());
  EXPECT_EQ(*h.next_deadline(), t0 + 40s);
  EXPECT_EQ(h.on_time(t0 + 39s), Due::nothing);
  EXPECT_EQ(h.on_time(t0 + 40s), Due::dead);
  EXPECT_FALSE(h.next_deadline());  // dead is down: nothing more is due
  EXPECT_EQ(h.on_time(t0 + 100s), Due::nothing);
}

TEST(HeartbeatMonitor, AnAnswerSchedulesTheNextPingFromTheAnswer) {
  HeartbeatMonitor h({.interval = 30s, .timeout = 10s});
  h.up(t0);
  ASSERT_EQ(h.on_time(t0 + 30s), Due::ping);
  EXPECT_TRUE(h.answered(t0 + 32s));
  EXPECT_FALSE(h.awaiting());
  EXPECT_EQ(*h.next_deadline(), t0 + 62s);
  EXPECT_EQ(h.on_time(t0 + 40s), Due::nothing);  // the old death deadline no longer counts
  EXPECT_EQ(h.on_time(t0 + 62s), Due::ping);
}

TEST(HeartbeatMonitor, DataWithoutAPingOutstandingDoesNotMoveThePing) {
  HeartbeatMonitor h({.interval = 30s, .timeout = 10s});
  h.up(t0);
  EXPECT_FALSE(h.answered(t0 + 5s));
  EXPECT_EQ(*h.next_deadline(), t0 + 30s);
}

TEST(HeartbeatMonitor, OffWhenTheIntervalIsZeroAndAfterDown) {
  HeartbeatMonitor off({.interval = 0ms, .timeout = 10s});
  off.up(t0);
  EXPECT_FALSE(off.next_deadline());
  EXPECT_EQ(off.on_time(t0 + 1h), Due::nothing);

  HeartbeatMonitor h({.interval = 1s, .timeout = 1s});
  h.up(t0);
  ASSERT_EQ(h.on_time(t0 + 1s), Due::ping);
  h.down();  // the connection closed with a ping outstanding
  EXPECT_FALSE(h.awaiting());
  EXPECT_FALSE(h.answered(t0 + 1500ms));
  EXPECT_EQ(h.on_time(t0 + 2s), Due::nothing);
  h.up(t0 + 5s);  // a new connection starts a fresh interval
  EXPECT_EQ(*h.next_deadline(), t0 + 6s);
}

TEST(HeartbeatMonitor, AHugeIntervalSaturatesInsteadOfWrapping) {
  HeartbeatMonitor h({.interval = std::chrono::milliseconds::max(), .timeout = 10s});
  h.up(t0);
  ASSERT_TRUE(h.next_deadline());
  EXPECT_GT(*h.next_deadline(), t0);
  EXPECT_EQ(h.on_time(t0 + 24h * 365), Due::nothing);
}

}  // namespace
}  // namespace sockkit::test
