// SPDX-License-Identifier: MIT
// The RFC 8305 dial with a fake clock and no sockets: what starts when, what
// is abandoned, what is reported, and that one deadline ends everything.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "link/dial_plan.hpp"
#include "sockkit/error.hpp"

namespace sockkit::link {
namespace {
using namespace std::chrono_literals;
using Kind = DialStep::Kind;

Endpoint ep(const char* text) {
  return *Endpoint::parse(text);
}

struct Dial {
  DialClock::time_point t0{std::chrono::hours(1)};  // any fixed moment
  DialPlan plan;
  explicit Dial(std::chrono::milliseconds timeout = 10s) : plan({}, t0 + timeout) {}
  DialClock::time_point at(std::chrono::milliseconds ms) const { return t0 + ms; }
  std::vector<DialStep> steps() {
    std::vector<DialStep> out;
    for (DialStep s{}; plan.next_step(s);)
      out.push_back(s);
    return out;
  }
};

std::string describe(const std::vector<DialStep>& steps) {
  std::string out;
  for (const auto& s : steps) {
    if (!out.empty()) out += ' ';
    switch (s.kind) {
      case Kind::begin:
        out += "begin";
        break;
      case Kind::connect:
        out += "connect#" + std::to_string(s.attempt) + "=" + s.address.to_string();
        break;
      case Kind::abandon:
        out += "abandon#" + std::to_string(s.attempt);
        break;
      case Kind::attempt_failed:
        out += "lost#" + std::to_string(s.attempt);
        break;
      case Kind::established:
        out += "won#" + std::to_string(s.attempt);
        break;
      case Kind::failed:
        out += "failed";
        break;
    }
  }
  return out;
}

TEST(DialPlan, IpvSixAnswerStartsConnectingAtOnce) {
  Dial d;
  const Endpoint v6[] = {ep("[2001:db8::1]:80")};
  d.plan.answer(Family::ipv6, v6, {}, false, d.at(5ms));
  EXPECT_EQ(describe(d.steps()), "begin connect#1=[2001:db8::1]:80");
}

TEST(DialPlan, IpvFourAnswerWaitsTheResolutionDelayForIpvSix) {
  Dial d;
  const Endpoint v4[] = {ep("192.0.2.1:80")};
  d.plan.answer(Family::ipv4, v4, {}, false, d.at(5ms));
  EXPECT_TRUE(d.steps().empty());
  EXPECT_EQ(d.plan.next_wakeup(), d.at(55ms));
  const Endpoint v6[] = {ep("[2001:db8::1]:80")};
  d.plan.answer(Family::ipv6, v6, {}, true, d.at(20ms));  // in time: IPv6 goes first
  EXPECT_EQ(describe(d.steps()), "begin connect#1=[2001:db8::1]:80");
  EXPECT_EQ(d.plan.next_wakeup(), d.at(270ms));  // the connection attempt delay
  d.plan.advance(d.at(270ms));
  EXPECT_EQ(describe(d.steps()), "connect#2=192.0.2.1:80");
}

TEST(DialPlan, SilentIpvSixDoesNotHoldUpAnIpvFourAnswer) {
  // The AAAA query is dropped; the A answer came at once: connect after 50 ms.
  Dial d(2s);
  const Endpoint v4[] = {ep("192.0.2.1:80")};
  d.plan.answer(Family::ipv4, v4, {}, false, d.at(1ms));
  d.plan.advance(d.at(50ms));
  EXPECT_TRUE(d.steps().empty()) << "not before the resolution delay has passed";
  d.plan.advance(d.at(51ms));
  EXPECT_EQ(describe(d.steps()), "begin connect#1=192.0.2.1:80");
  d.plan.connected(1, d.at(60ms));
  EXPECT_EQ(describe(d.steps()), "won#1");
  EXPECT_TRUE(d.plan.over());
  EXPECT_FALSE(d.plan.next_wakeup());
}

TEST(DialPlan, EmptyIpvSixAnswerStartsIpvFourAtOnce) {
  Dial d;
  const Endpoint v4[] = {ep("192.0.2.1:80")};
  d.plan.answer(Family::ipv4, v4, {}, false, d.at(1ms));
  d.plan.answer(Family::ipv6, {}, make_error_code(failure::no_address), true, d.at(3ms));
  EXPECT_EQ(describe(d.steps()), "begin connect#1=192.0.2.1:80");
}

TEST(DialPlan, FamiliesAlternateEveryAttemptDelayAndAFailureStartsTheNextAtOnce) {
  Dial d;
  const Endpoint v6[] = {ep("[2001:db8::1]:80"), ep("[2001:db8::2]:80")};
  const Endpoint v4[] = {ep("192.0.2.1:80"), ep("192.0.2.2:80")};
  d.plan.answer(Family::ipv6, v6, {}, false, d.at(0ms));
  d.plan.answer(Family::ipv4, v4, {}, true, d.at(0ms));
  EXPECT_EQ(describe(d.steps()), "begin connect#1=[2001:db8::1]:80");
  EXPECT_EQ(d.plan.known().size(), 4u) << "the IPv4 answer joins what is known";
  d.plan.advance(d.at(249ms));
  EXPECT_TRUE(d.steps().empty());
  d.plan.advance(d.at(250ms));
  EXPECT_EQ(describe(d.steps()), "connect#2=192.0.2.1:80");
  d.plan.connect_failed(2, make_error(std::errc::connection_refused), d.at(260ms));
  auto s = d.steps();
  EXPECT_EQ(describe(s), "lost#2 connect#3=[2001:db8::2]:80");
  EXPECT_EQ(s[0].address, ep("192.0.2.1:80"));
  EXPECT_EQ(s[0].error, std::errc::connection_refused);
  d.plan.connected(3, d.at(300ms));
  EXPECT_EQ(describe(d.steps()), "abandon#1 won#3");
}

TEST(DialPlan, EveryAddressFailingEndsWithTheLastReason) {
  Dial d;
  const Endpoint v4[] = {ep("192.0.2.1:80"), ep("192.0.2.2:80")};
  d.plan.answer(Family::ipv4, v4, {}, true, d.at(0ms));
  d.plan.connect_failed(1, make_error(std::errc::connection_refused), d.at(1ms));
  d.plan.connect_failed(2, make_error(std::errc::network_unreachable), d.at(2ms));
  auto s = d.steps();
  EXPECT_EQ(describe(s),
            "begin connect#1=192.0.2.1:80 lost#1 connect#2=192.0.2.2:80 lost#2 failed");
  EXPECT_EQ(s.back().error, std::errc::network_unreachable);
}

TEST(DialPlan, FailedResolutionIsReportedAtOnceWithItsReason) {
  Dial d;
  d.plan.answer(Family::ipv6, {}, make_error_code(failure::name_not_found), false, d.at(3ms));
  EXPECT_TRUE(d.steps().empty());
  d.plan.answer(Family::ipv4, {}, make_error_code(failure::name_not_found), true, d.at(4ms));
  auto s = d.steps();
  EXPECT_EQ(describe(s), "begin failed");
  EXPECT_EQ(s.back().error, failure::name_not_found);
  EXPECT_EQ(s.back().error, errc::name_not_resolved);
}

TEST(DialPlan, DeadlineWhileResolvingIsAResolveTimeout) {
  Dial d(2s);
  EXPECT_EQ(d.plan.next_wakeup(), d.at(2s));
  d.plan.advance(d.at(1999ms));
  EXPECT_TRUE(d.steps().empty());
  d.plan.advance(d.at(2s));
  auto s = d.steps();
  EXPECT_EQ(describe(s), "begin failed");
  EXPECT_TRUE(d.plan.known().empty());
  EXPECT_EQ(s.back().error, failure::resolve_timeout);
  EXPECT_EQ(s.back().error, errc::timed_out);
}

TEST(DialPlan, DeadlineAbandonsEveryConnectInFlight) {
  Dial d(1s);
  const Endpoint v6[] = {ep("[2001:db8::1]:80")};
  const Endpoint v4[] = {ep("192.0.2.1:80")};
  d.plan.answer(Family::ipv6, v6, {}, false, d.at(0ms));
  d.plan.answer(Family::ipv4, v4, {}, true, d.at(0ms));
  d.plan.advance(d.at(250ms));
  (void)d.steps();
  EXPECT_EQ(d.plan.in_flight(), 2u);
  d.plan.advance(d.at(1s));
  auto s = d.steps();
  EXPECT_EQ(describe(s), "abandon#1 abandon#2 failed");
  EXPECT_EQ(s.back().error, failure::connect_timeout);
  d.plan.connected(1, d.at(1001ms));  // too late: ignored
  EXPECT_TRUE(d.steps().empty());
}

TEST(DialPlan, AllFailedWhileTheOtherFamilyNeverAnswersKeepsTheConnectReason) {
  Dial d(1s);
  const Endpoint v4[] = {ep("192.0.2.1:80")};
  d.plan.answer(Family::ipv4, v4, {}, false, d.at(0ms));
  d.plan.advance(d.at(50ms));
  d.plan.connect_failed(1, make_error(std::errc::connection_refused), d.at(60ms));
  EXPECT_EQ(describe(d.steps()), "begin connect#1=192.0.2.1:80 lost#1");
  d.plan.advance(d.at(1s));
  auto s = d.steps();
  EXPECT_EQ(describe(s), "failed");
  EXPECT_EQ(s.back().error, std::errc::connection_refused);
}

TEST(DialPlan, LateFamilyJoinsWhenEverythingElseHasFailed) {
  Dial d;
  const Endpoint v4[] = {ep("192.0.2.1:80")};
  d.plan.answer(Family::ipv4, v4, {}, false, d.at(0ms));
  d.plan.advance(d.at(50ms));
  d.plan.connect_failed(1, make_error(std::errc::connection_refused), d.at(60ms));
  (void)d.steps();
  const Endpoint v6[] = {ep("[2001:db8::1]:80")};
  d.plan.answer(Family::ipv6, v6, {}, true, d.at(400ms));
  EXPECT_EQ(describe(d.steps()), "connect#2=[2001:db8::1]:80");
}

TEST(DialPlan, UnlimitedDialHasNoDeadlineToWakeFor) {
  DialPlan plan({}, DialClock::time_point::max());
  EXPECT_FALSE(plan.next_wakeup());
  plan.advance(DialClock::now());
  DialStep s{};
  EXPECT_FALSE(plan.next_step(s));
}

}  // namespace
}  // namespace sockkit::link
