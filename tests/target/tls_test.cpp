// SPDX-License-Identifier: MIT
// TLS on the board: mbedTLS's embedded profile, credentials as PEM text in the
// image (made for the test at configure time), a server and a client on one
// loop over lwIP's loopback — a full ECDHE handshake on the Cortex-M4, then an
// echo through it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include "board.h"
#include "sockkit/sockkit.hpp"
#include "test_pki.hpp"

namespace sockkit::target {
namespace {

using namespace std::chrono_literals;

struct Echo : ConnectionHandler {
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    return data.size();
  }
};

struct Collector : ConnectionHandler {
  void on_open(Connection& c) override {
    opened = true;
    if (auto i = c.tls_info()) info = *i;
    std::vector<std::byte> hello(16 * 1024);
    for (std::size_t i = 0; i < hello.size(); ++i)
      hello[i] = static_cast<std::byte>(i % 253);
    sent = hello;
    ASSERT_TRUE(c.send(hello));
  }
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    got.insert(got.end(), data.begin(), data.end());
    return data.size();
  }
  void on_connect_failed(const Endpoint&, ErrorCode why) override { failure = why; }
  bool opened = false;
  std::optional<TlsInfo> info;
  std::vector<std::byte> sent, got;
  ErrorCode failure;
};

// The AN386 has no random number generator; the board port's stirred
// xorshift is enough for a test's handshake, not for a product's keys.
bool board_entropy(std::span<std::byte> out) noexcept {
  for (auto& b : out)
    b = static_cast<std::byte>(board_random());
  return true;
}

// A TLS echo server on the board's loopback and a client that trusts
// `ca_pem` connecting to it; the loop runs until the client has its 16 KiB
// back or fails. Returns how long that took on the board's clock.
std::uint32_t exchange(const char* ca_pem, Collector& collector) {
  set_entropy_source(board_entropy);
  auto loop = EventLoop::create({.backend = Backend::poll});
  EXPECT_TRUE(loop) << loop.error().message();
  auto server_tls = TlsContext::server({.backend = TlsBackend::mbedtls,
                                        .certificate_pem = kServerCertificatePem,
                                        .private_key_pem = kServerKeyPem});
  auto client_tls = TlsContext::client(
      {.backend = TlsBackend::mbedtls, .ca_pem = ca_pem, .server_name = "localhost"});
  EXPECT_TRUE(server_tls && client_tls);
  if (!loop || !server_tls || !client_tls) return 0;
  Echo echo;
  ServerOptions options{.max_connections = 2};
  options.tls = *server_tls;
  auto server = Server::start(*loop, Endpoint::loopback_v4(0), echo, options);
  auto client = Client::create(*loop, collector);
  EXPECT_TRUE(server && client);
  if (!server || !client) return 0;
  EXPECT_TRUE(client->connect(server->local_endpoint(), 30s, {.tls = *client_tls}));
  const std::uint32_t start = board_millis();
  EXPECT_TRUE(loop->run_until(
      [&] {
        return bool(collector.failure) || (collector.opened && collector.got.size() >= 16384);
      },
      EventLoop::Clock::now() + 60s));
  return board_millis() - start;
}

TEST(BoardTls, AHandshakeOnTheBoardThenAnEchoThroughIt) {
  Collector collector;
  const std::uint32_t took = exchange(kCaPem, collector);
  ASSERT_FALSE(collector.failure) << collector.failure.message();
  ASSERT_TRUE(collector.opened);
  EXPECT_TRUE(collector.got == collector.sent) << collector.got.size() << " bytes came back";
  ASSERT_TRUE(collector.info);
  std::printf("handshake and echo: %lu ms on the board, %s %s\n", static_cast<unsigned long>(took),
              collector.info->version.c_str(), collector.info->cipher.c_str());
}

TEST(BoardTls, AServerCertificateFromAnotherCaIsUntrusted) {
  Collector collector;
  (void)exchange(kOtherCaPem, collector);
  EXPECT_FALSE(collector.opened);
  EXPECT_EQ(collector.failure, errc::tls_untrusted) << collector.failure.message();
}

}  // namespace
}  // namespace sockkit::target
