// SPDX-License-Identifier: MIT
// Quiet TLS handshakers against a running TLS server (`sockkit echo-server
// --tls-cert ...`): peers that send a ClientHello and then nothing. Reports
// the server's RSS before and after bursts of them, and how long a real
// client takes to be served while as many quiet ones as the server's
// connection limit (plus ten) hold their handshakes.
// Usage: bench_tls_quiet_handshakers HOST:PORT SERVER_PID LIMIT [BURST=300]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sockkit/sockkit.hpp"
#include "support/quiet_handshakers.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

long rss_kb(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

struct Quiet : sockkit::ConnectionHandler {
  int opened = 0, failed = 0;
  std::string echoed;
  void on_open(sockkit::Connection& c) override {
    ++opened;
    (void)c.send("hi");
  }
  sockkit::Result<std::size_t> on_data(sockkit::Connection&,
                                       std::span<const std::byte> data) override {
    echoed.append(reinterpret_cast<const char*>(data.data()), data.size());
    return data.size();
  }
  void on_connect_failed(const sockkit::Endpoint&, std::error_code) override { ++failed; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s HOST:PORT SERVER_PID LIMIT [BURST]\n", argv[0]);
    return 2;
  }
  auto at = sockkit::Endpoint::parse(argv[1]);
  const int pid = std::atoi(argv[2]);
  const int limit = std::atoi(argv[3]);
  const int burst = argc > 4 ? std::atoi(argv[4]) : 300;
  auto loop = sockkit::EventLoop::create();
  auto tls = sockkit::TlsContext::client({.insecure_skip_verify = true});
  Quiet handler;
  auto client = loop ? sockkit::Client::create(*loop, handler) : loop.error();
  if (!at || !loop || !tls || !client) return 1;
  const auto hello = sockkit::test::capture_client_hello(*loop, *client, *tls);
  if (hello.empty()) return 1;

  const long before = rss_kb(pid);
  for (int b = 0; b < 3; ++b) {
    auto peers = sockkit::test::quiet_handshakers(*at, hello, burst);
    std::this_thread::sleep_for(500ms);
  }
  std::this_thread::sleep_for(1s);
  const long after = rss_kb(pid);
  std::printf("RSS %ld kB before, %ld kB after 3 bursts of %d quiet handshakers (%+ld kB)\n",
              before, after, burst, after - before);

  auto holders = sockkit::test::quiet_handshakers(*at, hello, limit + 10);
  Quiet real;
  auto real_client = sockkit::Client::create(*loop, real);
  if (!real_client) return 1;
  const auto start = Clock::now();
  (void)real_client->connect(*at, 12s, {.tls = *tls});
  loop->run_until([&] { return real.echoed.size() >= 2 || real.failed > 0; }, start + 12s);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "a real client while %d quiet handshakers hold a %d-connection server: %s in %.3f s\n",
      limit + 10, limit, real.echoed.size() >= 2 ? "served" : "NOT served", took);
  return 0;
}
