// SPDX-License-Identifier: MIT
// The Nagle + delayed-ACK stall, measured over loopback: a client sends each
// request as two writes (a 4-byte length, then the body) and waits for a
// 1-byte answer. With Nagle on, the body waits for the ACK of the length, and
// the server delays that ACK (it has nothing to send yet): one delayed-ACK
// timeout per request. TCP_NODELAY sends the body at once.
//
//   bench_nagle [REQUESTS=40] [BODY_BYTES=100]
// Prints one line per mode: median and worst request time in microseconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Figures {
  double median_us = 0;
  double worst_us = 0;
  bool ok = false;
};

Figures measure(bool no_delay, int requests, std::size_t body_bytes) {
  Figures f;
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener) return f;
  std::thread server([&] {
    auto peer = listener->accept();
    if (!peer) return;
    std::vector<char> body(body_bytes);
    for (int i = 0; i < requests; ++i) {
      char header[4];
      if (!peer->stream.read_exact(std::span<char>(header), 5s)) return;
      if (!peer->stream.read_exact(std::span<char>(body), 5s)) return;
      if (!peer->stream.write_all("k")) return;
    }
  });
  auto client = sockkit::TcpStream::connect(*listener->local_endpoint(), 2s);
  std::vector<double> times;
  if (client && client->set_no_delay(no_delay)) {
    const std::string header("\0\0\0d", 4);  // the body length, big-endian
    const std::string body(body_bytes, 'x');
    for (int i = 0; i < requests; ++i) {
      const auto start = Clock::now();
      char answer[1];
      if (!client->write_all(header) || !client->write_all(body) ||
          !client->read_exact(std::span<char>(answer), 5s))
        break;
      times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
  }
  server.join();
  if (times.size() != static_cast<std::size_t>(requests)) return f;
  std::sort(times.begin(), times.end());
  f.median_us = times[times.size() / 2];
  f.worst_us = times.back();
  f.ok = true;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const int requests = argc > 1 ? std::atoi(argv[1]) : 40;
  const auto body = static_cast<std::size_t>(argc > 2 ? std::atoi(argv[2]) : 100);
  if (requests < 1 || body < 1) return std::fprintf(stderr, "usage: bench_nagle [N] [BODY]\n"), 2;
  std::printf("%-22s %10s %12s %12s\n", "mode", "requests", "median us", "worst us");
  for (const bool no_delay : {false, true}) {
    const auto f = measure(no_delay, requests, body);
    if (!f.ok) return std::fprintf(stderr, "bench_nagle: a request failed\n"), 1;
    std::printf("%-22s %10d %12.1f %12.1f\n", no_delay ? "TCP_NODELAY" : "Nagle (default)",
                requests, f.median_us, f.worst_us);
  }
}
