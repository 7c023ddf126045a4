// SPDX-License-Identifier: MIT
// The smallest useful sockkit program on lwIP: a TCP echo server on the event
// loop (poll backend), with backpressure. bench/footprint.sh measures its code
// size and splits it into sockkit, lwIP and the C/C++ runtime.
#include <sockkit/sockkit.hpp>

namespace {
struct Echo : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
                                       std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    return data.size();
  }
  void on_high_watermark(sockkit::Connection& c) override { c.pause_reading(); }
  void on_drain(sockkit::Connection& c) override { c.resume_reading(); }
};
}  // namespace

int main() {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
  if (!loop) return 1;
  Echo echo;
  auto server =
      sockkit::Server::start(*loop, sockkit::Endpoint::any_v4(7), echo, {.max_connections = 4});
  if (!server) return 1;
  return loop->run() ? 0 : 1;
}
