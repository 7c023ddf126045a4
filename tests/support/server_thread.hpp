// SPDX-License-Identifier: MIT
// A Server on its own EventLoop thread, for tests that act as clients.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {

/// Echoes everything; pauses reading at the high watermark (backpressure).
struct EchoHandler : ConnectionHandler {
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    max_queued = std::max(max_queued, c.queued_bytes());
    return data.size();
  }
  void on_high_watermark(Connection& c) override { c.pause_reading(); }
  void on_drain(Connection& c) override { c.resume_reading(); }
  void on_close(Connection&, std::error_code why) override { closes.push_back(why); }
  std::size_t max_queued = 0;           // loop thread only
  std::vector<std::error_code> closes;  // loop thread only
};

class ServerThread {
 public:
  ServerThread(Backend backend, ConnectionHandler& handler, ServerOptions options,
               Endpoint at = Endpoint::loopback_v4(0));
  ~ServerThread();
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  Endpoint endpoint() const { return endpoint_; }
  /// Runs `fn` on the loop thread and waits for it.
  void call(const std::function<void(EventLoop&, Server&)>& fn);
  ServerStats stats();
  /// Loop iterations so far (to show the loop is not spinning).
  std::uint64_t iterations() const { return iterations_; }

 private:
  std::thread thread_;
  std::optional<EventLoop> loop_;
  std::optional<Server> server_;
  Endpoint endpoint_;
  bool ok_ = false;
  std::string error_;
  std::atomic<bool> quit_{false};
  std::atomic<std::uint64_t> iterations_{0};
};

}  // namespace sockkit::test
