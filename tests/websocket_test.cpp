// SPDX-License-Identifier: MIT
// sockkit's WebSocket transport against an independent server, Debian's
// python3-websockets (tests/support/ws_server.py): ws and wss, echoes large
// and small, the server's pings, fragments, closes with and without an error,
// a refused upgrade, and a server that never answers the upgrade.
#include <gtest/gtest.h>

#include <string>

#include "sockkit/sockkit.hpp"
#include "support/fixture.hpp"
#include "support/test_pki.hpp"
#include "support/web_peers.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

// Sends `message` on open, records what comes back and how the connection ended.
struct Recorder : ConnectionHandler {
  void on_open(Connection& c) override {
    opened = true;
    id = c.id();
    tls = c.tls_info().has_value();
    if (!message.empty()) EXPECT_OK(c.send(message));
  }
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> d) override {
    got.append(reinterpret_cast<const char*>(d.data()), d.size());
    return d.size();
  }
  void on_peer_closed(Connection& c) override {
    peer_closed = true;
    c.shutdown_write();  // as after a TCP EOF: our side is done too
  }
  void on_close(Connection&, std::error_code why) override {
    closed = true;
    error = why;
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    failed = true;
    error = why;
  }
  std::string message, got;
  std::error_code error;
  Connection::Id id = 0;
  bool opened = false, tls = false, peer_closed = false, closed = false, failed = false;
};

class WebSocketTest : public SockkitTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (!PythonWebSocketServer::available())
      GTEST_SKIP() << "python3-websockets is not installed (apt-get install python3-websockets)";
    secure = GetParam();
    if (secure) {
      pki = std::make_unique<TestPki>();
      ASSERT_TRUE(pki->ok()) << pki->error();
      TlsOptions o;
      o.ca_file = pki->ca();
      auto ctx = TlsContext::client(o);
      ASSERT_OK(ctx);
      tls = *ctx;
      server = std::make_unique<PythonWebSocketServer>(pki->cert("server"), pki->key("server"));
    } else {
      server = std::make_unique<PythonWebSocketServer>();
    }
    std::string why;
    ASSERT_TRUE(server->ready(why)) << why;
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
  }

  void TearDown() override {
    client.reset();
    loop.reset();
    server.reset();
    SockkitTest::TearDown();
  }

  // Connects to the server by name with `ws` and runs the loop until `done`.
  void talk(WebSocketOptions ws, const std::function<bool()>& done,
            std::chrono::milliseconds limit = 10s) {
    auto c = Client::create(*loop, r);
    ASSERT_OK(c);
    client = std::move(*c);
    ASSERT_OK(client->connect("localhost:" + std::to_string(server->port), 5s,
                              {.tls = tls, .websocket = std::move(ws)}));
    EXPECT_TRUE(run_loop_until(*loop, limit, done));
  }

  bool secure = false;
  std::unique_ptr<TestPki> pki;
  std::shared_ptr<TlsContext> tls;
  std::unique_ptr<PythonWebSocketServer> server;
  std::optional<EventLoop> loop;
  Recorder r;                    // outlives the client, which reports to it
  std::optional<Client> client;  // after the loop: destroyed first
};

TEST_P(WebSocketTest, EchoesSmallAndLargeMessages) {
  for (std::size_t size :
       {std::size_t{1}, std::size_t{125}, std::size_t{70000}, std::size_t{1} << 20}) {
    client.reset();
    r = Recorder{};
    const auto payload = seeded_payload(size, static_cast<unsigned>(size));
    r.message.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
    talk({.path = "/echo", .protocols = {"echo"}},
         [&] { return r.got.size() >= size || r.closed; });
    EXPECT_TRUE(r.opened);
    EXPECT_EQ(r.tls, secure);
    EXPECT_EQ(r.got.size(), size);
    EXPECT_TRUE(r.got == r.message) << "echo of " << size << " bytes differs";
    EXPECT_FALSE(r.error) << r.error.message();
  }
}

TEST_P(WebSocketTest, TheServersPingsAreAnsweredSoTheConnectionLives) {
  // The server pings every 50 ms and gives up on a client silent for 500 ms.
  r.message = "before";
  talk({.path = "/echo"}, [&] { return r.got == "before" || r.closed; });
  (void)run_loop_until(*loop, 1500ms, [&] { return r.closed; });
  ASSERT_FALSE(r.closed) << r.error.message();
  r.got.clear();
  Connection* open = client->find(r.id);
  ASSERT_NE(open, nullptr);
  EXPECT_OK(open->send("after"));  // still open: another echo comes back
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return r.got == "after" || r.closed; }));
  EXPECT_EQ(r.got, "after");
}

TEST_P(WebSocketTest, AFragmentedMessageArrivesJoined) {
  talk({.path = "/fragments"}, [&] { return r.got.size() >= 10 || r.closed; });
  EXPECT_EQ(r.got, "fragmented");
}

TEST_P(WebSocketTest, ANormalCloseEndsTheStreamInOrder) {
  talk({.path = "/close/1000"}, [&] { return r.closed; });
  EXPECT_TRUE(r.opened);
  EXPECT_TRUE(r.peer_closed);
  EXPECT_FALSE(r.error) << r.error.message();
}

TEST_P(WebSocketTest, ACloseWithAnErrorCodeIsReported) {
  talk({.path = "/close/1011"}, [&] { return r.closed; });
  EXPECT_EQ(r.error, make_error_code(failure::websocket_closed));
  EXPECT_EQ(r.error, errc::peer_closed);
}

TEST_P(WebSocketTest, ARefusedUpgradeIsAFailedConnect) {
  talk({.path = "/refuse"}, [&] { return r.failed || r.opened; });
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, make_error_code(failure::websocket_refused));
  EXPECT_EQ(r.error, errc::protocol_error);
}

TEST_P(WebSocketTest, AProtocolTheServerDoesNotSpeakIsNoProtocol) {
  // Offered "chat" only: the server chooses none, which RFC 6455 allows.
  r.message = "hi";
  talk({.path = "/echo", .protocols = {"chat"}}, [&] { return r.got == "hi" || r.closed; });
  EXPECT_EQ(r.got, "hi");
}

TEST_P(WebSocketTest, ThroughAnHttpProxyWithCredentials) {
  // Proxy, then TLS to the target (its name checked), then the WebSocket.
  if (!TinyProxy::available()) GTEST_SKIP() << "tinyproxy is not installed";
  TinyProxy proxy("meter", "s3cret");
  std::string why;
  ASSERT_TRUE(proxy.ready(why)) << why;
  r.message = "tunnelled";
  auto c = Client::create(*loop, r);
  ASSERT_OK(c);
  client = std::move(*c);
  ASSERT_OK(client->connect(
      "localhost:" + std::to_string(server->port), 5s,
      {.tls = tls,
       .websocket = WebSocketOptions{.path = "/echo"},
       .proxy = HttpProxy{.address = proxy.address(), .user = "meter", .password = "s3cret"}}));
  EXPECT_TRUE(run_loop_until(*loop, 10s, [&] { return r.got == "tunnelled" || r.closed; }));
  EXPECT_EQ(r.got, "tunnelled");
  EXPECT_EQ(r.tls, secure);
}

INSTANTIATE_TEST_SUITE_P(Schemes, WebSocketTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "wss" : "ws"; });

TEST(WebSocketUpgrade, AServerThatNeverAnswersTheUpgradeTimesOut) {
  auto listener = TcpListener::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(listener);
  auto l = EventLoop::create();
  ASSERT_OK(l);
  Recorder r;
  auto client = Client::create(*l, r);
  ASSERT_OK(client);
  ASSERT_OK(client->connect(*listener->local_endpoint(), 5s,
                            {.websocket = WebSocketOptions{.handshake_timeout = 200ms}}));
  EXPECT_TRUE(run_loop_until(*l, 5s, [&] { return r.failed || r.opened; }));
  EXPECT_FALSE(r.opened);
  EXPECT_EQ(r.error, make_error_code(failure::upgrade_timeout));
}

TEST(WebSocketUpgrade, OptionsThatCannotBeSentAreRefusedBeforeConnecting) {
  auto l = EventLoop::create();
  ASSERT_OK(l);
  Recorder r;
  auto client = Client::create(*l, r);
  ASSERT_OK(client);
  const WebSocketOptions injected{.path = "/\r\nX-Evil: 1"};
  EXPECT_ERRC(client->connect(Endpoint::loopback_v4(9), 1s, {.websocket = injected}),
              errc::invalid_argument);
  EXPECT_ERRC(client->connect("localhost:9", 1s, {.websocket = injected}), errc::invalid_argument);
}

}  // namespace
}  // namespace sockkit::test
