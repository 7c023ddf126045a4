// SPDX-License-Identifier: MIT
// MQTT over WebSockets, ws and wss, to mosquitto behind websockify (Debian's
// mosquitto 2.0.11 is built without its own WebSocket listener): sockkit's
// messages reach mosquitto_sub over plain TCP, mosquitto_pub's reach sockkit;
// and MQTT through an HTTP proxy (tinyproxy), directly or over wss.
#include "support/mosquitto_fixture.hpp"
#include "support/netns.hpp"
#include "support/web_peers.hpp"

namespace sockkit::test {
namespace {

#if SOCKKIT_WEBSOCKET

/// websockify in front of the broker's plain listener, wss with the test PKI
/// when `secure` (null when the build has no TLS to test that with); `trust`
/// gets the CLI's --cafile words for it.
std::unique_ptr<Websockify> front_of(const Mosquitto& broker, const TestPki* pki, bool secure,
                                     std::string& trust) {
  trust.clear();
  if (secure && pki == nullptr) return nullptr;
  std::unique_ptr<Websockify> front;
#if SOCKKIT_TEST_TLS
  if (secure) {
    front = std::make_unique<Websockify>(broker.port, pki->cert("server"), pki->key("server"));
    trust = " --cafile " + pki->ca();
  }
#endif
  if (!front) front = std::make_unique<Websockify>(broker.port);
  std::string why;
  EXPECT_TRUE(front->ready(why)) << why;
  return front;
}

TEST_P(MosquittoTest, MqttOverWebSocketsThroughWebsockify) {
  if (!Websockify::available()) GTEST_SKIP() << "websockify is not installed";
  for (const bool secure : {false, true}) {
    std::string trust;
    auto front = front_of(*broker, test_pki(), secure, trust);
    if (!front) continue;
    const std::string id = secure ? "wss-client" : "ws-client";
    Spawned sub(sub_command(id + "-watch", "from/" + id, 1));
    ASSERT_TRUE(subscribed(id + "-watch")) << broker->log();
    Events events;
    auto s = settings(id, front->port);
    // websockify agrees to no subprotocol but its own "binary" (or none).
    s.transport.websocket = WebSocketOptions{.path = "/", .protocols = {"binary"}};
#if SOCKKIT_TEST_TLS
    if (secure) {
      auto tls = TlsContext::client({.ca_file = pki->ca()});
      ASSERT_OK(tls);
      s.transport.tls = *tls;
    }
#endif
    auto& c = make(s, events);
    ASSERT_OK(c.subscribe("to/" + id, QoS::at_least_once));
    c.start();
    ASSERT_TRUE(run_until([&] { return events.subscribed == 1; })) << broker->log();
    ASSERT_OK(c.publish("from/" + id, "over a websocket", QoS::at_least_once));
    ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
    EXPECT_EQ(sub.output(), "from/" + id + " over a websocket\n");
    ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                      " -t to/" + id + " -m back -q 1"));
    ASSERT_TRUE(run_until([&] { return !events.payloads.empty(); }));
    EXPECT_EQ(events.payloads[0], "back");
    EXPECT_TRUE(events.disconnects.empty());
    EXPECT_TRUE(events.publish_errors.empty());
    clients.clear();  // before `events` and the front it talks through go
  }
}

// Through tinyproxy's CONNECT tunnel: MQTT on TCP, and (with TLS) MQTT over
// wss to websockify — proxy, TLS, WebSocket and MQTT in one connection.
TEST_P(MosquittoTest, MqttThroughAnHttpProxy) {
  if (!TinyProxy::available()) GTEST_SKIP() << "tinyproxy is not installed";
  TinyProxy proxy;
  std::string why;
  ASSERT_TRUE(proxy.ready(why)) << why;
  std::optional<Websockify> front;
  for (const bool web : {false, true}) {
    Events events;
    const std::string id = web ? "proxied-wss" : "proxied-tcp";
    auto s = settings(id);
    s.transport.proxy = HttpProxy{.address = proxy.address()};
    if (web) {
#if SOCKKIT_TEST_TLS
      if (!Websockify::available()) continue;
      front.emplace(broker->port, pki->cert("server"), pki->key("server"));
      ASSERT_TRUE(front->ready(why)) << why;
      s.target = "localhost:" + std::to_string(front->port);
      s.transport.websocket = WebSocketOptions{.protocols = {"binary"}};
      auto tls = TlsContext::client({.ca_file = pki->ca()});
      ASSERT_OK(tls);
      s.transport.tls = *tls;
#else
      continue;
#endif
    }
    Spawned sub(sub_command(id + "-watch", "via/" + id, 1));
    ASSERT_TRUE(subscribed(id + "-watch")) << broker->log();
    auto& c = make(s, events);
    c.start();
    ASSERT_OK(c.publish("via/" + id, "through the proxy", QoS::exactly_once));
    ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s)) << id;
    EXPECT_EQ(sub.output(), "via/" + id + " through the proxy\n");
    EXPECT_EQ(events.connected, 1);
    EXPECT_TRUE(events.connect_failures.empty());
    clients.clear();  // before `events` goes
  }
#ifdef SOCKKIT_CLI
  Spawned watcher(sub_command("proxied-cli-watch", "via/cli", 1));
  ASSERT_TRUE(subscribed("proxied-cli-watch")) << broker->log();
  auto [code, out] =
      cli("mqtt pub -h 127.0.0.1 -p " + std::to_string(broker->port) + " --proxy http://" +
          proxy.address() + " -V " + version_flag(GetParam()) + " -t via/cli -m hello -q 1");
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(run_until([&] { return watcher.done(); }, 10s));
  EXPECT_EQ(watcher.output(), "via/cli hello\n");
#endif
}

#ifdef SOCKKIT_CLI
// `sockkit mqtt pub` and `sub` with -L ws:// and wss:// URLs, to the same
// broker as mosquitto_sub and mosquitto_pub over TCP (mosquitto's own clients
// take only mqtt:// and mqtts:// URLs).
TEST_P(MosquittoTest, TheCliSpeaksMqttOverWebSocketsWithAUrl) {
  if (!Websockify::available()) GTEST_SKIP() << "websockify is not installed";
  EXPECT_FALSE(shell("/usr/bin/mosquitto_pub -L ws://127.0.0.1:1/t -m x 2>/dev/null"))
      << "mosquitto_pub takes ws:// URLs now: compare the two";
  for (const bool secure : {false, true}) {
    std::string trust;
    auto front = front_of(*broker, test_pki(), secure, trust);
    if (!front) continue;
    const std::string scheme = secure ? "wss" : "ws";
    const std::string url = scheme + "://127.0.0.1:" + std::to_string(front->port);
    const std::string ws =
        " --ws-path / --ws-protocol binary -V " + std::string(version_flag(GetParam())) + trust;
    Spawned watcher(sub_command(scheme + "-cli-watch", "cli/" + scheme, 1));
    ASSERT_TRUE(subscribed(scheme + "-cli-watch")) << broker->log();
    auto [code, out] = cli("mqtt pub -L " + url + "/cli/" + scheme + ws + " -m hello -q 1");
    EXPECT_EQ(code, 0) << out;
    ASSERT_TRUE(run_until([&] { return watcher.done(); }, 10s));
    EXPECT_EQ(watcher.output(), "cli/" + scheme + " hello\n");

    Spawned listener(std::string(SOCKKIT_CLI) + " mqtt sub -L " + url + "/back/" + scheme + ws +
                     " -i " + scheme + "-cli-sub -C 1");
    ASSERT_TRUE(subscribed(scheme + "-cli-sub")) << broker->log() << listener.output();
    ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                      " -t back/" + scheme + " -m answer -q 1"));
    ASSERT_TRUE(run_until([&] { return listener.done(); }, 10s));
    EXPECT_EQ(listener.exit_code(), 0);
    EXPECT_EQ(listener.output(), "answer\n");
  }
}
#endif

#endif  // SOCKKIT_WEBSOCKET

}  // namespace
}  // namespace sockkit::test
