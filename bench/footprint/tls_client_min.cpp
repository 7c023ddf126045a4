// SPDX-License-Identifier: MIT
// The smallest TLS client a device runs: one verified TLS 1.2 connection to
// its broker on the event loop (poll backend), mbedTLS in the embedded
// profile. bench/footprint.sh measures it and splits it into sockkit, its TLS
// layer, mbedTLS, lwIP and the C/C++ runtime.
#include <sockkit/sockkit.hpp>

namespace {
struct Link : sockkit::ConnectionHandler {
  void on_open(sockkit::Connection& c) override { (void)c.send("hello"); }
  sockkit::Result<std::size_t> on_data(sockkit::Connection&,
                                       std::span<const std::byte> data) override {
    return data.size();
  }
};
}  // namespace

int main() {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  using namespace std::chrono_literals;
  auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
  if (!loop) return 1;
  auto tls = sockkit::TlsContext::client({.backend = sockkit::TlsBackend::mbedtls,
                                          .ca_file = "/flash/ca.pem",
                                          .server_name = "broker.example"});
  if (!tls) return 1;
  Link link;
  auto client = sockkit::Client::create(*loop, link);
  if (!client) return 1;
  if (!client->connect(sockkit::Endpoint::ipv4({10, 0, 0, 1}, 8883), 10s, {.tls = *tls})) return 1;
  return loop->run() ? 0 : 1;
}
