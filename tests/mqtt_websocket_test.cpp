// SPDX-License-Identifier: MIT
// MQTT over WebSockets, ws and wss, to mosquitto behind websockify (Debian's
// mosquitto 2.0.11 is built without its own WebSocket listener): sockkit's
// messages reach mosquitto_sub over plain TCP, mosquitto_pub's reach sockkit.
#include "support/mosquitto_fixture.hpp"
#include "support/netns.hpp"
#include "support/websocket_peers.hpp"

namespace sockkit::test {
namespace {

TEST_P(MosquittoTest, MqttOverWebSocketsThroughWebsockify) {
  if (!Websockify::available()) GTEST_SKIP() << "websockify is not installed";
  for (const bool secure : {false, true}) {
    std::string cert, key;
#if SOCKKIT_TEST_TLS
    if (secure) {
      cert = pki->cert("server");
      key = pki->key("server");
    }
#else
    if (secure) continue;
#endif
    Websockify front(broker->port, cert, key);
    std::string why;
    ASSERT_TRUE(front.ready(why)) << why;
    const std::string id = secure ? "wss-client" : "ws-client";
    Spawned sub(sub_command(id + "-watch", "from/" + id, 1));
    ASSERT_TRUE(subscribed(id + "-watch")) << broker->log();
    Events events;
    auto s = settings(id, front.port);
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
  }
}

}  // namespace
}  // namespace sockkit::test
