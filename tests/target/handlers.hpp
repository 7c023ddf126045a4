// SPDX-License-Identifier: MIT
// The board tests' connection handlers: a server that echoes (pausing at its
// high watermark) and a client that sends its payload and keeps what comes back.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <system_error>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit::target {

// The server's side: echoes, pauses at the high watermark, records closes.
struct Echo : ConnectionHandler {
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    return data.size();
  }
  void on_high_watermark(Connection& c) override {
    ++high_watermarks;
    c.pause_reading();
  }
  void on_drain(Connection& c) override { c.resume_reading(); }
  void on_close(Connection&, ErrorCode why) override { closes.push_back(why); }
  int high_watermarks = 0;
  std::vector<ErrorCode> closes;
};

// A client: sends its payload once connected (then half-closes if asked) and
// keeps what comes back.
struct Collector : ConnectionHandler {
  explicit Collector(std::vector<std::byte> payload, bool half_close = false)
      : sent(std::move(payload)), shut_after_send(half_close) {}
  void on_open(Connection& c) override {
    connection = &c;
    if (!sent.empty()) {
      EXPECT_TRUE(c.send(sent));
    }
    if (shut_after_send) c.shutdown_write();
    if (start_paused) c.pause_reading();
  }
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    got.insert(got.end(), data.begin(), data.end());
    return data.size();
  }
  void on_close(Connection&, ErrorCode why) override {
    connection = nullptr;
    closed = true;
    reason = why;
  }
  std::vector<std::byte> sent;
  bool shut_after_send = false;
  bool start_paused = false;
  Connection* connection = nullptr;
  std::vector<std::byte> got;
  bool closed = false;
  ErrorCode reason;
};

}  // namespace sockkit::target
