// SPDX-License-Identifier: MIT
// examples/http_get against a scripted HTTP server on loopback: the request it
// sends, a body with Content-Length and a chunked one, an error status, and a
// server that is not there.
#include <string>
#include <thread>

#include "support/cli_run.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using HttpGetExample = SockkitTest;

// Accepts one connection, keeps its request head, answers `response`, closes.
class OneShotHttpServer {
 public:
  explicit OneShotHttpServer(std::string response) : response_(std::move(response)) {
    auto l = TcpListener::bind(Endpoint::loopback_v4(0));
    if (!l) return;
    listener_ = std::move(*l);
    address_ = listener_.local_endpoint()->to_string();
    thread_ = std::thread([this] {
      auto client = listener_.accept();
      if (!client) return;
      (void)client->stream.set_receive_timeout(5s);
      char buf[1024];
      while (request_.find("\r\n\r\n") == std::string::npos) {
        auto n = client->stream.receive(std::span<char>(buf));
        if (!n || *n == 0) return;
        request_.append(buf, *n);
      }
      (void)client->stream.write_all(response_, 5s);
    });
  }
  ~OneShotHttpServer() {
    if (thread_.joinable()) thread_.join();
  }
  const std::string& address() const { return address_; }
  /// The request head; call after the client is done.
  const std::string& request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  std::string response_;
  TcpListener listener_;
  std::string address_;
  std::string request_;
  std::thread thread_;
};

TEST_F(HttpGetExample, SendsAnHttp11RequestAndPrintsTheBody) {
  OneShotHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
  ASSERT_FALSE(server.address().empty());
  auto r = run_program(SOCKKIT_HTTP_GET, server.address() + " /status");
  EXPECT_EQ(r.status, 0) << r.output;
  // The head on stderr, then the body on stdout (run_program reads both).
  EXPECT_EQ(r.output, "HTTP/1.1 200 OK\r\nContent-Length: 6\nhello\n");
  EXPECT_EQ(server.request().rfind("GET /status HTTP/1.1\r\n", 0), 0u) << server.request();
  EXPECT_NE(server.request().find("\r\nHost: 127.0.0.1\r\n"), std::string::npos);
  EXPECT_NE(server.request().find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST_F(HttpGetExample, ReassemblesAChunkedBody) {
  OneShotHttpServer server(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto r = run_program(SOCKKIT_HTTP_GET, server.address());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(r.output.ends_with("\nhello world")) << r.output;
}

TEST_F(HttpGetExample, AnErrorStatusABadBodyOrNoServerExitsOne) {
  {
    OneShotHttpServer server("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    auto r = run_program(SOCKKIT_HTTP_GET, server.address() + " /missing");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("HTTP/1.1 404 Not Found"), std::string::npos) << r.output;
  }
  for (const char* bad : {"zz\r\nhello\r\n0\r\n\r\n", "ffff\r\nshort\r\n", "5\r\nhello"}) {
    OneShotHttpServer server(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") +
                             bad);
    auto r = run_program(SOCKKIT_HTTP_GET, server.address());
    EXPECT_EQ(r.status, 1) << bad << ": " << r.output;
    EXPECT_NE(r.output.find("malformed chunked body"), std::string::npos) << r.output;
  }
  std::string closed;
  {
    auto probe = TcpListener::bind(Endpoint::loopback_v4(0));
    ASSERT_OK(probe);
    closed = probe->local_endpoint()->to_string();
  }
  auto r = run_program(SOCKKIT_HTTP_GET, closed);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("connect: "), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sockkit::test
