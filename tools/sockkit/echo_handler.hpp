// SPDX-License-Identifier: MIT
// The echo handler shared by `sockkit echo-server`, `sockkit demo` and bench/:
// every byte goes back; reading pauses while the write queue is above its high
// watermark, so a client that does not read cannot make the server buffer
// without bound.
#pragma once

#include <functional>

#include "sockkit/sockkit.hpp"

namespace sockkit::cli {

struct EchoHandler final : ConnectionHandler {
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    bytes += data.size();
    return data.size();
  }
  void on_high_watermark(Connection& c) override { c.pause_reading(); }
  void on_drain(Connection& c) override { c.resume_reading(); }
  void on_close(Connection&, std::error_code why) override {
    if (why) ++closed_with_error;
    if (closed) closed();
  }
  std::function<void()> closed;  ///< Optional: called after each connection closes.
  std::uint64_t bytes = 0;
  std::uint64_t closed_with_error = 0;
};

}  // namespace sockkit::cli
