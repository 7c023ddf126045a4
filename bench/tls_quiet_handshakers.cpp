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

/// A ClientHello from sockkit's own TLS client, caught by a plain listener.
std::vector<std::byte> client_hello(sockkit::EventLoop& loop, sockkit::Client& client,
                                    const std::shared_ptr<sockkit::TlsContext>& tls) {
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener || !client.connect(*listener->local_endpoint(), 2s, {.tls = tls})) return {};
  loop.run_until([] { return false; }, Clock::now() + 300ms);
  auto peer = listener->accept();
  if (!peer) return {};
  (void)peer->stream.set_receive_timeout(2s);
  std::vector<std::byte> hello(16 << 10);
  auto n = peer->stream.receive(std::span(hello));
  hello.resize(n ? *n : 0);
  return hello;
}

std::vector<sockkit::TcpStream> quiet(const sockkit::Endpoint& at, std::span<const std::byte> hello,
                                      int count) {
  std::vector<sockkit::TcpStream> peers;
  for (int i = 0; i < count; ++i) {
    auto s = sockkit::TcpStream::connect(at, 2s);
    if (s && s->write_all(hello, 2s)) peers.push_back(std::move(*s));
  }
  return peers;
}

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
  const auto hello = client_hello(*loop, *client, *tls);
  if (hello.empty()) return 1;

  const long before = rss_kb(pid);
  for (int b = 0; b < 3; ++b) {
    auto peers = quiet(*at, hello, burst);
    std::this_thread::sleep_for(500ms);
  }
  std::this_thread::sleep_for(1s);
  const long after = rss_kb(pid);
  std::printf("RSS %ld kB before, %ld kB after 3 bursts of %d quiet handshakers (%+ld kB)\n",
              before, after, burst, after - before);

  auto holders = quiet(*at, hello, limit + 10);
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
