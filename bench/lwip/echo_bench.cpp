// SPDX-License-Identifier: MIT
// Throughput over lwIP's loopback: the same raw lwip_* client streams bytes
// through an echo server and verifies them; the server is either sockkit's
// (Server + EchoHandler on the poll backend) or a minimal one written directly
// on lwip_poll. Best of N runs, MiB/s each way.
//
//   bench_lwip_echo_roomy sockkit 64 5     # server, MiB per run, runs
#include <sockkit/sockkit.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include "echo_handler.hpp"
#include "raw_lwip.h"

int main(int argc, char** argv) {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  const bool use_sockkit = argc < 2 || std::strcmp(argv[1], "raw") != 0;
  const std::size_t mib = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 64;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  unsigned short port = 0;
  std::optional<sockkit::EventLoop> loop;
  std::optional<sockkit::Server> server;
  std::thread loop_thread;
  sockkit::cli::EchoHandler echo;
  if (use_sockkit) {
    auto l = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
    if (!l) return std::printf("loop: %s\n", l.error().message().c_str()), 1;
    loop = std::move(*l);
    auto s = sockkit::Server::start(*loop, sockkit::Endpoint::loopback_v4(0), echo);
    if (!s) return std::printf("server: %s\n", s.error().message().c_str()), 1;
    server = std::move(*s);
    port = server->local_endpoint().port();
    loop_thread = std::thread([&] { (void)loop->run(); });
  } else {
    port = raw_lwip_echo_server_start();
    if (port == 0) return std::printf("raw server failed\n"), 1;
  }
  double best = 0;
  for (int i = 0; i < runs; ++i) {
    const double s = raw_lwip_echo_client(port, mib << 20, 16384);
    if (s < 0) return std::printf("run %d failed (%s)\n", i, s < -1.5 ? "corrupt" : "stalled"), 1;
    best = std::max(best, static_cast<double>(mib) / s);
  }
  std::printf("%s server: best of %d, %zu MiB echoed: %.1f MiB/s\n",
              use_sockkit ? "sockkit" : "raw", runs, mib, best);
  if (loop) {
    loop->post([&] {
      server.reset();
      loop->stop();
    });
    loop_thread.join();
  }
  std::fflush(stdout);
  std::_Exit(0);  // lwIP has no shutdown; its threads end with the process
}
