// SPDX-License-Identifier: MIT
// Firmware: a TCP echo server on port 7 with backpressure and device-sized
// buffers, on the board's Ethernet through sockkit's bare-metal stack. Once a
// second it prints the heap in use and the heap's and the stack's high-water
// marks, so a test can see memory stay bounded and a benchmark can read them.
// It serves as many connections as lwIP has TCP PCBs: the stack refuses a
// peer past that limit with a reset, never silence.
// ports/mps2-an386/device-check.sh drives it from Linux.
#include <malloc.h>

#include <cstdio>

#include "board.h"
#include "board_network.h"
#include "lwip/opt.h"
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
  // A peer that never reads stops its own echo at 8 KiB queued, not the device.
  const sockkit::ConnectionOptions limits{.max_write_queue = 16 << 10,
                                          .high_watermark = 8 << 10,
                                          .low_watermark = 2 << 10,
                                          .max_pending_read = 16 << 10,
                                          .read_chunk = 2 << 10,
                                          .max_read_per_wakeup = 8 << 10,
                                          .buffer_reserve = 4,
                                          .buffer_chunk = 2 << 10};
  auto server =
      sockkit::Server::start(*loop, sockkit::Endpoint::any_v4(7), echo, {.limits = limits});
  if (!server) return std::printf("server: %s\n", server.error().message().c_str()), 1;
  std::printf("at most %d connections (lwIP's MEMP_NUM_TCP_PCB)\n", MEMP_NUM_TCP_PCB);
  std::printf("echo server listening on %s:7\n", BOARD_NETWORK_ADDRESS);
  sockkit::Timer heap_report;
  heap_report.arm_repeating(*loop, std::chrono::seconds(1), [] {
    std::printf("heap %d, high-water %lu, stack high-water %lu\n", mallinfo().uordblks,
                static_cast<unsigned long>(board_heap_high_water()),
                static_cast<unsigned long>(board_stack_high_water()));
  });
  auto st = loop->run();
  std::printf("loop ended: %s\n", st ? "stopped" : st.error().message().c_str());
  return st ? 0 : 1;
}
