// SPDX-License-Identifier: MIT
// The blocking TlsStream against sockkit's own TLS server (the interop with
// openssl s_server and s_client is in tls_interop_test.cpp): a round trip, a
// certificate for another host, a peer that never answers the handshake, a
// quiet peer, and calls on an empty stream — each with its error.
#include <optional>
#include <string>

#include "support/fixture.hpp"
#include "support/server_thread.hpp"
#include "support/test_pki.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

class TlsStreamTest : public SockkitTest, public ::testing::WithParamInterface<TlsBackend> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (!tls_backend_available(GetParam())) GTEST_SKIP() << "not built with this TLS library";
    ASSERT_TRUE(pki.ok()) << pki.error();
    auto server_tls = TlsContext::server({.backend = GetParam(),
                                          .certificate_file = pki.cert("server"),
                                          .private_key_file = pki.key("server")});
    ASSERT_OK(server_tls);
    server.emplace(default_backend(), echo, ServerOptions{.tls = *server_tls});
    ASSERT_TRUE(server->ok()) << server->error();
    auto client_tls = TlsContext::client({.backend = GetParam(), .ca_file = pki.ca()});
    ASSERT_OK(client_tls);
    tls = *client_tls;
  }
  void TearDown() override {
    server.reset();  // before the fixture counts open descriptors
    tls.reset();
    SockkitTest::TearDown();
  }
  TestPki pki;
  EchoHandler echo;
  std::optional<ServerThread> server;
  std::shared_ptr<TlsContext> tls;
};

TEST_P(TlsStreamTest, EchoesThroughSockkitsOwnServerByNameAndByAddress) {
  const std::string port = std::to_string(server->endpoint().port());
  for (const std::string& target : {"localhost:" + port, "127.0.0.1:" + port}) {
    auto stream = TlsStream::connect(target, tls, 5s);
    ASSERT_TRUE(stream) << target << ": " << stream.error().message();
    ASSERT_OK(stream->write_all("ping over tls", 5s));
    std::string got;
    char buf[64];
    while (got.size() < 13) {
      auto n = stream->receive(std::span<char>(buf), 5s);
      ASSERT_OK(n);
      ASSERT_GT(*n, 0u);
      got.append(buf, *n);
    }
    EXPECT_EQ(got, "ping over tls");
    auto info = stream->info();
    ASSERT_OK(info);
    EXPECT_FALSE(info->version.empty());
    EXPECT_OK(stream->close());
  }
}

TEST_P(TlsStreamTest, ACertificateForAnotherHostIsRefused) {
  auto stream = TlsStream::connect(server->endpoint().to_string(), tls, 5s, "wrong.example");
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error(), errc::tls_host_mismatch) << stream.error().message();
}

TEST_P(TlsStreamTest, APeerThatNeverAnswersTheHandshakeTimesOut) {
  auto silent = listen_loopback(Family::ipv4);  // accepts in the backlog, says nothing
  auto at = silent.local_endpoint();
  ASSERT_OK(at);
  auto stream = TlsStream::connect(at->to_string(), tls, 300ms);
  ASSERT_FALSE(stream);
  EXPECT_EQ(stream.error(), make_error_code(failure::tls_handshake_timeout))
      << stream.error().message();
  EXPECT_EQ(stream.error(), errc::timed_out);
}

TEST_P(TlsStreamTest, AQuietPeerIsAReceiveTimeoutAndTheStreamStaysUsable) {
  auto stream = TlsStream::connect(server->endpoint().to_string(), tls, 5s);
  ASSERT_OK(stream);
  char buf[16];
  auto n = stream->receive(std::span<char>(buf), 100ms);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error(), make_error_code(failure::receive_timeout));
  ASSERT_OK(stream->write_all("still here", 5s));
  n = stream->receive(std::span<char>(buf), 5s);
  ASSERT_OK(n);
  EXPECT_GT(*n, 0u);
}

TEST_P(TlsStreamTest, AnEmptyStreamSaysSo) {
  TlsStream empty;
  EXPECT_FALSE(empty.is_open());
  char buf[4];
  EXPECT_EQ(empty.receive(std::span<char>(buf)).error(), make_error_code(failure::closed_socket));
  EXPECT_EQ(empty.write_all("x").error(), make_error_code(failure::closed_socket));
  EXPECT_EQ(empty.close().error(), make_error_code(failure::closed_socket));
  EXPECT_FALSE(empty.native_handle().valid());
  EXPECT_EQ(TlsStream::handshake(TcpStream{}, tls, 1s).error(),
            make_error_code(failure::closed_socket));
}

INSTANTIATE_TEST_SUITE_P(Backends, TlsStreamTest,
                         ::testing::Values(TlsBackend::openssl, TlsBackend::mbedtls),
                         [](const auto& p) { return std::string(to_string(p.param)); });

}  // namespace
}  // namespace sockkit::test
