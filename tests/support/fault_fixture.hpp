// SPDX-License-Identifier: MIT
// Fixtures of the fault suites (tests/netfault_test.cpp, tests/netlink_test.cpp):
// each test body runs in a child process in a private network namespace with
// two hosts on a veth pair (support/two_hosts.hpp); a ReconnectingClient on
// host A records its events, echo servers run on host B.
#pragma once

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/fixture.hpp"
#include "support/netns.hpp"
#include "support/server_thread.hpp"
#include "support/two_hosts.hpp"

namespace sockkit::test::fault {
using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

inline constexpr std::uint16_t kPort = 7000;
inline const Endpoint kServerV4 = Endpoint::ipv4({10, 77, 0, 2}, kPort);
inline const Endpoint kServerV6 =
    Endpoint::ipv6({0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, kPort);

inline double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Records a ReconnectingClient's events with their times.
struct Recorder : ReconnectingHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    received.append(reinterpret_cast<const char*>(data.data()), data.size());
    return data.size();
  }
  void on_open(Connection& c) override {
    ++opens;
    opened_at = Clock::now();
    if (auto p = c.peer()) peer = *p;
  }
  void on_close(Connection&, std::error_code why) override {
    ++closes;
    closed_at = Clock::now();
    close_reason = why;
  }
  void on_connecting(unsigned, const std::vector<Endpoint>&) override {
    connecting_at.push_back(Clock::now());
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override { last_failure = why; }
  void on_retry_scheduled(std::chrono::milliseconds after, unsigned) override {
    retries.push_back(after);
  }
  void on_given_up(std::error_code last) override {
    given_up = true;
    given_up_at = Clock::now();
    give_up_reason = last;
  }
  void on_heartbeat(Connection& c) override { (void)c.send("ping\n"); }

  int opens = 0, closes = 0;
  bool given_up = false;
  std::string received;
  Endpoint peer;
  std::error_code close_reason, last_failure, give_up_reason;
  Clock::time_point opened_at{}, closed_at{}, given_up_at{};
  std::vector<Clock::time_point> connecting_at;
  std::vector<std::chrono::milliseconds> retries;
};

// Echo server(s) on host B, made and destroyed on B's loop thread.
struct ServerOnB {
  ServerOnB(TwoHosts& hosts, std::vector<Endpoint> at) : hosts_(hosts) {
    hosts_.call_in_b([&](EventLoop& loop) {
      for (const auto& ep : at) {
        auto s = Server::start(loop, ep, echo);
        if (!s) {
          error = ep.to_string() + ": " + s.error().message();
          return;
        }
        servers.push_back(std::move(*s));
      }
    });
  }
  ~ServerOnB() {
    hosts_.call_in_b([&](EventLoop&) { servers.clear(); });
  }
  TwoHosts& hosts_;
  EchoHandler echo;
  std::vector<std::optional<Server>> servers;
  std::string error;
};

// The test body runs in the child; `report` comes back to the parent.
inline void run_fault(const std::function<int(TwoHosts&, std::string&)>& body, int timeout_s = 60) {
  auto run = run_in_private_netns(
      [&](std::string& report) {
        TwoHosts hosts;
        std::string why;
        if (!hosts.setup(why)) {
          report = why;
          return 125;  // cannot set up: reported as a skip
        }
        return body(hosts, report);
      },
      timeout_s);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

inline ReconnectingOptions quick_settings() {
  ReconnectingOptions s;
  s.connect_timeout = 2s;
  s.keepalive.enabled = false;
  s.user_timeout = 0ms;
  s.reconnect = {.initial = 200ms, .max = 1s, .multiplier = 2, .jitter = 0, .reset_after = 60s};
  s.jitter_seed = 1;
  return s;
}

inline std::optional<EventLoop> client_loop() {
  auto loop = EventLoop::create({.backend = Backend::epoll});
  if (!loop) return std::nullopt;
  return std::move(*loop);
}

// A ReconnectingClient on host A, with its loop and its recorded events.
struct ClientOnA {
  ClientOnA(ReconnectingOptions settings, const std::string& target) : loop(client_loop()) {
    auto created = ReconnectingClient::create(*loop, target, rec, std::move(settings));
    if (created)
      client = std::move(*created);
    else
      error = "create: " + created.error().message();
  }
  std::optional<EventLoop> loop;
  Recorder rec;
  std::optional<ReconnectingClient> client;
  std::string error;
};

// printf into the report the parent prints.
__attribute__((format(printf, 2, 3))) inline void appendf(std::string& report, const char* format,
                                                          ...) {
  char line[200];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  report += line;
}

}  // namespace sockkit::test::fault
