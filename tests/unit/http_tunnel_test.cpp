// SPDX-License-Identifier: MIT
// The CONNECT tunnel session over an in-memory stream: the request, the
// proxy's answers, and above all that it never reads past the answer — the
// bytes behind it are the inner session's (TLS reads the socket itself).
// Against tinyproxy: http_proxy_test.cpp.
#include <gtest/gtest.h>

#include "sockkit/error.hpp"
#include "support/memory_session.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {
namespace {

using test::MemorySession;
using test::Pipe;

class HttpTunnelTest : public ::testing::Test {
 protected:
  std::unique_ptr<Session> open() {
    auto s = make_tunnel_session(std::make_unique<MemorySession>(pipe),
                                 std::make_unique<MemorySession>(pipe),
                                 connect_request("broker.test:8883", "meter", "s3cret"));
    EXPECT_TRUE(s.has_value());
    return s ? std::move(*s) : nullptr;
  }
  Pipe pipe;
};

TEST_F(HttpTunnelTest, TheRequestNamesTheTargetAndTheCredentials) {
  EXPECT_EQ(connect_request("[::1]:443", "", ""),
            "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
  auto s = open();
  EXPECT_EQ(s->handshake().error(), errc::would_block);
  EXPECT_EQ(s->wants(), io::readable);
  EXPECT_EQ(pipe.written,
            "CONNECT broker.test:8883 HTTP/1.1\r\nHost: broker.test:8883\r\n"
            "Proxy-Authorization: Basic bWV0ZXI6czNjcmV0\r\n\r\n");
  EXPECT_EQ(s->timeout_reason(), failure::upgrade_timeout);
}

TEST_F(HttpTunnelTest, NotOneByteAfterTheAnswerIsTaken) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{1000}}) {
    pipe = {};
    pipe.read_chunk = chunk;
    auto s = open();
    const std::string answer = "HTTP/1.0 200 Connection established\r\nProxy-agent: t\r\n\r\n";
    Status st = make_error(std::errc::operation_would_block);
    for (std::size_t at = 0; at < answer.size() && !st; at += 5) {  // arriving in pieces
      pipe.incoming += answer.substr(at, 5);
      if (at + 5 >= answer.size()) pipe.incoming += "\x16\x03\x01 the server's first bytes";
      st = s->handshake();
    }
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(pipe.incoming, "\x16\x03\x01 the server's first bytes") << chunk;
    std::array<std::byte, 64> buf;
    auto n = s->read(buf);
    ASSERT_TRUE(n);
    ASSERT_GT(*n, 0u);
    EXPECT_EQ(buf[0], std::byte{0x16});  // the inner session reads them from the start
  }
}

TEST_F(HttpTunnelTest, RefusalsSayWhetherCredentialsAreTheReason) {
  const auto refused = make_error_code(failure::proxy_refused);
  const auto auth = make_error_code(failure::proxy_auth_failed);
  const std::pair<std::string, ErrorCode> cases[] = {
      {"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", auth},
      {"HTTP/1.0 401 Unauthorized\r\n\r\n", auth},
      {"HTTP/1.1 403 Forbidden\r\n\r\n", refused},
      {"HTTP/1.1 500 Unable to connect\r\n\r\n", refused},
      {"HTTP/1.1 502 Bad Gateway\r\n\r\n", refused},
      {"HTTP/1.1 2x0 OK\r\n\r\n", refused},
      {"SSH-2.0-OpenSSH_9.2\r\n\r\n", refused},
      {"HTTP/1.1 200 OK\r\n", refused},  // then EOF: no end to the answer
      {"HTTP/1.1 200 OK\r\nX: " + std::string(9000, 'a'), refused},
      {"HTTP/1.1 204 No Content\r\n\r\n", {}},
  };
  for (const auto& [answer, expected] : cases) {
    pipe = {};
    auto s = open();
    pipe.incoming = answer;
    pipe.eof = true;
    auto st = s->handshake();
    EXPECT_EQ(st ? ErrorCode{} : st.error(), expected) << answer.substr(0, 30);
  }
}

}  // namespace
}  // namespace sockkit::transport
