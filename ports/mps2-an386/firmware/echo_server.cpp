// SPDX-License-Identifier: MIT
// Firmware: a TCP echo server on port 7 with backpressure, on the board's
// Ethernet through sockkit's bare-metal stack. ports/mps2-an386/device-check.sh
// echoes a mebibyte through it from Linux.
#include <cstdio>

#include "board_network.h"
#include "sockkit/sockkit.hpp"

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
  if (!board_network_start()) return 1;
  auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
  if (!loop) return std::printf("loop: %s\n", loop.error().message().c_str()), 1;
  Echo echo;
  auto server =
      sockkit::Server::start(*loop, sockkit::Endpoint::any_v4(7), echo, {.max_connections = 4});
  if (!server) return std::printf("server: %s\n", server.error().message().c_str()), 1;
  std::printf("echo server listening on %s:7\n", BOARD_NETWORK_ADDRESS);
  std::fflush(stdout);
  auto st = loop->run();
  std::printf("loop ended: %s\n", st ? "stopped" : st.error().message().c_str());
  return st ? 0 : 1;
}
