// SPDX-License-Identifier: MIT
// Connections through an HTTP proxy's CONNECT tunnel, against tinyproxy
// (Debian): plain TCP to a sockkit echo server, by name and by address; a
// proxy that wants credentials, or other ones; a target the proxy cannot
// reach; a proxy that never answers; options that cannot be sent.
#include <gtest/gtest.h>

#include "sockkit/sockkit.hpp"
#include "support/fixture.hpp"
#include "support/server_thread.hpp"
#include "support/web_peers.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

struct Talk : ConnectionHandler {
  void on_open(Connection& c) override {
    opened = true;
    EXPECT_OK(c.send("through the proxy"));
  }
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
    got.append(reinterpret_cast<const char*>(d.data()), d.size());
    if (got.size() >= 17) c.close();
    return d.size();
  }
  void on_close(Connection&, std::error_code why) override {
    done = true;
    error = why;
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    done = true;
    error = why;
  }
  std::string got;
  std::error_code error;
  bool opened = false, done = false;
};

class HttpProxyTest : public SockkitTest {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (!TinyProxy::available())
      GTEST_SKIP() << "tinyproxy is not installed (apt-get install tinyproxy)";
    echo_server = std::make_unique<ServerThread>(Backend::poll, echo, ServerOptions{});
    ASSERT_TRUE(echo_server->ok()) << echo_server->error();
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
  }
  void TearDown() override {
    client.reset();
    loop.reset();
    echo_server.reset();
    SockkitTest::TearDown();
  }
  // Connects to `target` through `proxy` and runs until the talk ends.
  void talk(const std::string& target, const HttpProxy& proxy) {
    auto c = Client::create(*loop, t);
    ASSERT_OK(c);
    client = std::move(*c);
    ASSERT_OK(client->connect(target, 5s, {.proxy = proxy}));
    EXPECT_TRUE(run_loop_until(*loop, 10s, [&] { return t.done; }));
  }
  std::string echo_port() const { return std::to_string(echo_server->endpoint().port()); }

  EchoHandler echo;
  std::unique_ptr<ServerThread> echo_server;
  std::optional<EventLoop> loop;
  Talk t;
  std::optional<Client> client;
};

TEST_F(HttpProxyTest, PlainTcpGoesThroughTheTunnelByNameAndByAddress) {
  TinyProxy proxy;
  std::string why;
  ASSERT_TRUE(proxy.ready(why)) << why;
  for (const std::string& target : {"localhost:" + echo_port(), "127.0.0.1:" + echo_port()}) {
    client.reset();
    t = Talk{};
    talk(target, {.address = proxy.address()});
    EXPECT_TRUE(t.opened) << target;
    EXPECT_EQ(t.got, "through the proxy") << target;
    EXPECT_FALSE(t.error) << t.error.message();
  }
}

TEST_F(HttpProxyTest, AnEndpointThroughAProxyAtAnAddressNeedsNoResolver) {
  TinyProxy proxy;
  std::string why;
  ASSERT_TRUE(proxy.ready(why)) << why;
  auto c = Client::create(*loop, t);
  ASSERT_OK(c);
  client = std::move(*c);
  ASSERT_OK(client->connect(echo_server->endpoint(), 5s,
                            {.proxy = HttpProxy{.address = proxy.address()}}));
  EXPECT_TRUE(run_loop_until(*loop, 10s, [&] { return t.done; }));
  EXPECT_EQ(t.got, "through the proxy");
  // A proxy by name would need resolving: connect by name for that.
  EXPECT_ERRC(
      client->connect(echo_server->endpoint(), 1s,
                      {.proxy = HttpProxy{.address = "localhost:" + std::to_string(proxy.port)}}),
      errc::invalid_argument);
}

TEST_F(HttpProxyTest, CredentialsTheProxyDoesNotAcceptAreAFailedConnect) {
  TinyProxy proxy("meter", "s3cret");
  std::string why;
  ASSERT_TRUE(proxy.ready(why)) << why;
  const std::string target = "127.0.0.1:" + echo_port();
  talk(target, {.address = proxy.address()});
  EXPECT_FALSE(t.opened);
  EXPECT_EQ(t.error, make_error_code(failure::proxy_auth_failed));
  EXPECT_EQ(t.error, errc::permission_denied);
  client.reset();
  t = Talk{};
  talk(target, {.address = proxy.address(), .user = "meter", .password = "wrong"});
  EXPECT_EQ(t.error, make_error_code(failure::proxy_auth_failed));
  client.reset();
  t = Talk{};
  talk(target, {.address = proxy.address(), .user = "meter", .password = "s3cret"});
  EXPECT_EQ(t.got, "through the proxy");
}

TEST_F(HttpProxyTest, ATargetTheProxyCannotReachIsRefused) {
  TinyProxy proxy;
  std::string why;
  ASSERT_TRUE(proxy.ready(why)) << why;
  talk("127.0.0.1:" + std::to_string(free_loopback_port()), {.address = proxy.address()});
  EXPECT_FALSE(t.opened);
  EXPECT_EQ(t.error, make_error_code(failure::proxy_refused));
  EXPECT_EQ(t.error, errc::connection_refused);
}

// A peer whose chosen port another process took in the meantime exits at
// once; it is started again on another port instead of failing the test.
TEST(ListeningPeer, AProgramThatExitsAtOnceIsStartedAgainOnAnotherPort) {
  if (!PythonWebSocketServer::available()) GTEST_SKIP() << "python3 is not installed";
  struct SecondTimeLucky : ListeningPeer {
    SecondTimeLucky() {
      start([this](std::uint16_t at) {
        ports.push_back(at);
        return ports.size() == 1
                   ? std::string("/bin/false")
                   : "/usr/bin/python3 -m http.server --bind 127.0.0.1 " + std::to_string(at);
      });
    }
    std::vector<std::uint16_t> ports;
  } peer;
  std::string why;
  ASSERT_TRUE(peer.ready(why)) << why;
  ASSERT_EQ(peer.ports.size(), 2u);
  EXPECT_EQ(peer.port, peer.ports[1]);
  EXPECT_TRUE(TcpStream::connect(Endpoint::loopback_v4(peer.port), 2s));
}

TEST_F(HttpProxyTest, AProxyThatNeverAnswersTimesOut) {
  auto silent = TcpListener::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(silent);
  auto c = Client::create(*loop, t);
  ASSERT_OK(c);
  client = std::move(*c);
  ASSERT_OK(
      client->connect("127.0.0.1:" + echo_port(), 300ms,
                      {.proxy = HttpProxy{.address = silent->local_endpoint()->to_string()}}));
  EXPECT_TRUE(run_loop_until(*loop, 5s, [&] { return t.done; }));
  EXPECT_FALSE(t.opened);
  EXPECT_EQ(t.error, errc::timed_out) << t.error.message();
}

TEST_F(HttpProxyTest, ProxiesThatCannotBeUsedAreRefusedBeforeConnecting) {
  auto c = Client::create(*loop, t);
  ASSERT_OK(c);
  EXPECT_ERRC(c->connect("127.0.0.1:1", 1s, {.proxy = HttpProxy{.address = "proxy.lan"}}),
              errc::invalid_argument);  // no port
  EXPECT_ERRC(c->connect("127.0.0.1:1", 1s,
                         {.proxy = HttpProxy{.address = "127.0.0.1:3128", .user = "a\r\nX: 1"}}),
              errc::invalid_argument);
  EXPECT_ERRC(c->connect(Endpoint::loopback_v4(1), 1s,
                         {.proxy = HttpProxy{.address = "127.0.0.1:3128", .user = "a:b"}}),
              errc::invalid_argument);
  EXPECT_EQ(c->pending(), 0u);
}

}  // namespace
}  // namespace sockkit::test
