// SPDX-License-Identifier: MIT
// The MQTT client against mosquitto, Debian's broker, started by each test on
// loopback (and, for the blackholed path, in a network namespace as root):
// round trips with mosquitto_pub and mosquitto_sub, QoS 1 and 2 across a
// broker restart and a blackhole, the will, credentials, TLS and mutual TLS,
// a Unix socket. The `sockkit mqtt` commands and the examples: mqtt_cli_test.cpp.
#include <map>
#include <optional>
#include <set>

#include "support/mosquitto_fixture.hpp"
#include "support/netns.hpp"
#include "support/two_hosts.hpp"

namespace sockkit::test {
namespace {

TEST_P(MosquittoTest, PublicationsReachMosquittoSub) {
  Spawned sub(sub_command("watcher", "sk/#", 3));
  ASSERT_TRUE(subscribed("watcher")) << broker->log();
  Events events;
  auto& c = make(settings("pub-1"), events);
  c.start();
  ASSERT_OK(c.publish("sk/0", "zero", QoS::at_most_once));
  ASSERT_OK(c.publish("sk/1", "one", QoS::at_least_once));
  ASSERT_OK(c.publish("sk/2", "two", QoS::exactly_once));
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
  EXPECT_EQ(sub.output(), "sk/0 zero\nsk/1 one\nsk/2 two\n");
  EXPECT_TRUE(events.publish_errors.empty());
}

// mosquitto hangs up on an MQTT 3.1.1 client whose packet passes its
// max_packet_size (MQTT 5 clients are told the limit in CONNACK instead):
// the message is given up after three hang-ups, reported, and the ones
// behind it arrive — before, it was resent on every reconnect for good.
TEST_P(MosquittoTest, AMessageTheBrokerHangsUpOnIsGivenUpAndTheNextArrive) {
  broker->stop();
  broker->add_option("max_packet_size 200");
  std::string why;
  ASSERT_TRUE(broker->start(why)) << why;
  Spawned sub(sub_command("watcher", "hang/#", 1));
  ASSERT_TRUE(subscribed("watcher")) << broker->log();
  Events events;
  auto& c = make(settings("pub-hang"), events);
  c.start();
  auto big = c.publish("hang/big", std::string(1000, 'x'), QoS::at_least_once);
  ASSERT_OK(c.publish("hang/small", "next", QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return events.published == 2; }, 10s))
      << events.disconnects.size() << " disconnects";
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 5s));
  EXPECT_EQ(sub.output(), "hang/small next\n");
  if (GetParam() == Version::v5) {  // refused before it was sent: the broker's limit was known
    ASSERT_EQ(events.publish_errors.size(), 1u);
    EXPECT_EQ(classify(events.publish_errors[0]), errc::message_too_large);
    (void)big;
    return;
  }
  ASSERT_OK(big);
  ASSERT_EQ(events.publish_errors.size(), 1u);
  EXPECT_EQ(events.publish_errors[0], make_error_code(failure::rejected_by_hang_up));
  EXPECT_EQ(c.stats().rejected_by_hang_up, 1u);
  EXPECT_GE(events.disconnects.size(), 3u);
}

TEST_P(MosquittoTest, MosquittoPubReachesTheClientAndRetainedMessagesAreKept) {
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                    " -t ret/a -m kept -r -q 1"));
  Events events;
  auto& c = make(settings("sub-1"), events);
  ASSERT_OK(c.subscribe("in/+", QoS::exactly_once));
  ASSERT_OK(c.subscribe("ret/#", QoS::at_least_once));
  c.start();
  ASSERT_TRUE(run_until([&] { return events.subscribed == 1 && !events.topics.empty(); }));
  EXPECT_EQ(events.topics[0], "ret/a");
  EXPECT_EQ(events.payloads[0], "kept");
  EXPECT_TRUE(events.retained[0]);
  for (int q = 0; q <= 2; ++q)
    ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                      " -V " + version_flag(GetParam()) + " -t in/" + std::to_string(q) +
                      " -m hello" + std::to_string(q) + " -q " + std::to_string(q)));
  ASSERT_TRUE(run_until([&] { return events.topics.size() == 4; }));
  EXPECT_EQ(events.payloads[3], "hello2");
  EXPECT_FALSE(events.retained[3]);
}

// QoS 1: nothing lost. QoS 2: nothing lost, nothing twice. Both publisher and
// subscriber keep their sessions while mosquitto stops and starts again.
TEST_P(MosquittoTest, Qos1AndQos2SurviveABrokerRestart) {
  auto persistent = [&](const std::string& id) {
    auto s = settings(id);
    s.clean_session = false;
    s.session_expiry = std::chrono::seconds(3600);
    s.keepalive = std::chrono::seconds(2);
    return s;
  };
  Events sub_events, pub_events;
  auto& sub = make(persistent("restart-sub"), sub_events);
  ASSERT_OK(sub.subscribe("seq/#", QoS::exactly_once));
  sub.start();
  ASSERT_TRUE(run_until([&] { return sub_events.subscribed == 1; }));
  auto& pub = make(persistent("restart-pub"), pub_events);
  pub.start();
  constexpr int kEach = 150;
  int sent = 0;
  bool restarted = false;
  std::string why;
  auto ticker = loop->add_repeating_timer(4ms, [&] {
    if (sent < kEach) {
      (void)pub.publish("seq/1", std::to_string(sent), QoS::at_least_once);
      (void)pub.publish("seq/2", std::to_string(sent), QoS::exactly_once);
      ++sent;
    }
    if (sent == kEach / 2 && !restarted) {
      restarted = true;
      broker->stop();
      (void)broker->start(why);
    }
  });
  const bool all = run_until(
      [&] {
        std::set<std::string> q1, q2;
        for (std::size_t i = 0; i < sub_events.topics.size(); ++i)
          (sub_events.topics[i] == "seq/1" ? q1 : q2).insert(sub_events.payloads[i]);
        return sent == kEach && q1.size() == kEach && q2.size() == kEach;
      },
      30s);
  loop->cancel_timer(ticker);
  ASSERT_TRUE(restarted);
  EXPECT_TRUE(why.empty()) << why;
  std::map<std::string, int> q1, q2;
  for (std::size_t i = 0; i < sub_events.topics.size(); ++i)
    ++(sub_events.topics[i] == "seq/1" ? q1 : q2)[sub_events.payloads[i]];
  EXPECT_TRUE(all) << "QoS 1 got " << q1.size() << ", QoS 2 got " << q2.size() << " of " << kEach;
  EXPECT_EQ(q1.size(), std::size_t(kEach)) << "QoS 1 lost messages";
  EXPECT_EQ(q2.size(), std::size_t(kEach)) << "QoS 2 lost messages";
  for (auto& [payload, n] : q2)
    EXPECT_EQ(n, 1) << "QoS 2 message " << payload << " arrived " << n << " times";
  EXPECT_GE(pub_events.disconnects.size(), 1u);  // it did go through the restart
  EXPECT_TRUE(pub_events.publish_errors.empty());
  std::printf(
      "restart: QoS 1 %zu distinct of %d (%zu deliveries), QoS 2 %zu of %d, "
      "publisher retransmitted %llu\n",
      q1.size(), kEach, sub_events.topics.size() - q2.size(), q2.size(), kEach,
      static_cast<unsigned long long>(pub.stats().retransmitted));
}

TEST_P(MosquittoTest, TheWillIsPublishedWhenTheClientVanishes) {
  Events watcher;
  auto& w = make(settings("will-watcher"), watcher);
  ASSERT_OK(w.subscribe("will/#", QoS::at_least_once));
  w.start();
  ASSERT_TRUE(run_until([&] { return watcher.subscribed == 1; }));

  Events graceful, vanishing;
  auto s = settings("will-graceful");
  s.will = mqtt::Will{.topic = "will/graceful", .payload = "gone", .qos = QoS::at_least_once};
  auto& g = make(s, graceful);
  g.start();
  s.client_id = "will-vanishing";
  s.will->topic = "will/vanishing";
  auto created = mqtt::Client::create(*loop, s, vanishing);
  ASSERT_OK(created);
  std::optional<mqtt::Client> v = std::move(*created);
  v->start();
  ASSERT_TRUE(run_until([&] { return graceful.connected == 1 && vanishing.connected == 1; }));
  g.stop();   // DISCONNECT: no will
  v.reset();  // no DISCONNECT: the broker publishes the will
  ASSERT_TRUE(run_until([&] { return !watcher.topics.empty(); }));
  run_until([] { return false; }, 300ms);
  ASSERT_EQ(watcher.topics.size(), 1u);
  EXPECT_EQ(watcher.topics[0], "will/vanishing");
  EXPECT_EQ(watcher.payloads[0], "gone");
}

TEST_P(MosquittoTest, BadCredentialsAreRefusedWithAClearCondition) {
  Events bad, good;
  auto s = settings("auth-bad", broker->auth_port);
  s.user_name = Mosquitto::kUser;
  s.password = "wrong";
  auto& b = make(s, bad);
  b.start();
  ASSERT_TRUE(run_until([&] { return !bad.disconnects.empty(); }));
  EXPECT_EQ(bad.disconnects[0], errc::permission_denied) << bad.disconnects[0].message();
  EXPECT_EQ(bad.connected, 0);
  s.client_id = "auth-good";
  s.password = Mosquitto::kPassword;
  make(s, good).start();
  ASSERT_TRUE(run_until([&] { return good.connected == 1; }));
}

TEST_P(MosquittoTest, UnixSocket) {
  Events events;
  auto s = settings("unix-1");
  s.target = "unix:" + broker->unix_path;
  auto& c = make(s, events);
  ASSERT_OK(c.subscribe("self", QoS::exactly_once));
  c.start();
  ASSERT_TRUE(run_until([&] { return events.subscribed == 1; }))
      << (events.connect_failures.empty() ? std::string("no connect failure")
                                          : events.connect_failures[0].message())
      << "\n"
      << broker->log();
  ASSERT_OK(c.publish("self", "over a unix socket", QoS::exactly_once));
  ASSERT_TRUE(run_until([&] { return !events.payloads.empty(); }));
  EXPECT_EQ(events.payloads[0], "over a unix socket");
}

#if SOCKKIT_TEST_TLS
TEST_P(MosquittoTest, TlsWithTheTestCa) {
  auto trusted = TlsContext::client({.ca_file = pki->ca()});
  ASSERT_OK(trusted);
  Events events;
  auto s = settings("tls-1", broker->tls_port);
  s.transport.tls = *trusted;
  auto& c = make(s, events);
  ASSERT_OK(c.subscribe("tls/echo", QoS::at_least_once));
  c.start();
  ASSERT_TRUE(run_until([&] { return events.subscribed == 1; }));
  ASSERT_OK(c.publish("tls/echo", "sealed", QoS::at_least_once));
  ASSERT_TRUE(run_until([&] { return !events.payloads.empty(); }));
  EXPECT_EQ(events.payloads[0], "sealed");

  auto other = TlsContext::client({.ca_file = pki->other_ca()});
  ASSERT_OK(other);
  Events refused;
  s.client_id = "tls-2";
  s.transport.tls = *other;
  make(s, refused).start();
  ASSERT_TRUE(run_until([&] { return !refused.connect_failures.empty(); }));
  EXPECT_EQ(refused.connect_failures[0], errc::tls_untrusted)
      << refused.connect_failures[0].message();
  EXPECT_EQ(refused.connected, 0);
}

TEST_P(MosquittoTest, MutualTls) {
  auto with_cert = TlsContext::client({.certificate_file = pki->cert("client"),
                                       .private_key_file = pki->key("client"),
                                       .ca_file = pki->ca()});
  ASSERT_OK(with_cert);
  Events events;
  auto s = settings("mtls-1", broker->mtls_port);
  s.transport.tls = *with_cert;
  make(s, events).start();
  ASSERT_TRUE(run_until([&] { return events.connected == 1; }));

  auto without = TlsContext::client({.ca_file = pki->ca()});
  ASSERT_OK(without);
  Events refused;
  s.client_id = "mtls-2";
  s.transport.tls = *without;
  make(s, refused).start();
  expect_tls_refusal(refused);
}

// TLS-PSK to mosquitto's psk_hint listener, on each TLS backend, beside
// mosquitto_pub with the same key: both get through; with a wrong key both
// are refused, sockkit's with a TLS condition.
TEST_P(MosquittoTest, TlsPskOnEachBackendAsMosquittoPub) {
  const std::string pub = "/usr/bin/mosquitto_pub -h 127.0.0.1 -p " +
                          std::to_string(broker->psk_port) + " -V " + version_flag(GetParam()) +
                          " --psk-identity " + Mosquitto::kPskIdentity + " -t psk/ref -m ref";
  EXPECT_TRUE(shell(pub + " --psk " + Mosquitto::kPskHex)) << "mosquitto_pub, for reference";
  EXPECT_FALSE(shell(pub + " --psk 00112233 2>/dev/null")) << "mosquitto_pub, wrong key";
#ifdef SOCKKIT_CLI
  {  // the same words through `sockkit mqtt pub`
    Spawned sub(sub_command("psk-watch-cli", "psk/cli", 1));
    ASSERT_TRUE(subscribed("psk-watch-cli")) << broker->log();
    const std::string words = "mqtt pub -h 127.0.0.1 -p " + std::to_string(broker->psk_port) +
                              " -V " + version_flag(GetParam()) + " --psk-identity " +
                              Mosquitto::kPskIdentity + " -t psk/cli -m cli -q 1 --psk ";
    auto [code, out] = cli(words + Mosquitto::kPskHex);
    EXPECT_EQ(code, 0) << out;
    ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
    EXPECT_EQ(sub.output(), "psk/cli cli\n");
    std::tie(code, out) = cli(words + "00112233");
    EXPECT_EQ(code, 8) << "a TLS failure, as mosquitto_pub's: " << out;
  }
#endif
  const auto key = parse_psk_hex(Mosquitto::kPskHex);
  ASSERT_OK(key);
  for (TlsBackend backend : {TlsBackend::openssl, TlsBackend::mbedtls}) {
    if (!tls_backend_available(backend)) continue;
    SCOPED_TRACE(to_string(backend));
    auto tls = TlsContext::client(
        {.backend = backend, .psk = *key, .psk_identity = Mosquitto::kPskIdentity});
    ASSERT_OK(tls);
    Spawned sub(sub_command(std::string("psk-watch-") + to_string(backend), "psk/#", 1));
    ASSERT_TRUE(subscribed(std::string("psk-watch-") + to_string(backend))) << broker->log();
    Events events;
    auto s = settings(std::string("psk-") + to_string(backend), broker->psk_port);
    s.transport.tls = *tls;
    auto& c = make(s, events);
    c.start();
    ASSERT_OK(c.publish("psk/sk", "sealed by a shared key", QoS::at_least_once));
    ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s)) << broker->log();
    EXPECT_EQ(sub.output(), "psk/sk sealed by a shared key\n");
    EXPECT_TRUE(events.connect_failures.empty());

    auto wrong = TlsContext::client(
        {.backend = backend, .psk = std::string(16, 'x'), .psk_identity = Mosquitto::kPskIdentity});
    ASSERT_OK(wrong);
    Events refused;
    s.client_id += "-wrong";
    s.transport.tls = *wrong;
    make(s, refused).start();
    expect_tls_refusal(refused);
    clients.clear();  // before the handlers of this round go
  }
}
#endif

// MQTT 3.1, as brokers before 3.1.1 speak it: every QoS both ways with
// mosquitto's clients at -V mqttv31, a session that is not clean resumed
// (3.1's CONNACK does not say so), and the CLI at -V mqttv31.
using Mosquitto31Test = MosquittoTest;

TEST_P(Mosquitto31Test, EveryQosBothWaysAndASessionResumed) {
  Spawned watcher(sub_command("watch-31", "v31/#", 3));
  ASSERT_TRUE(subscribed("watch-31")) << broker->log();
  auto s = settings("sk-31");
  s.clean_session = false;
  Events events;
  auto* c = &make(s, events);
  ASSERT_OK(c->subscribe("in31/#", QoS::exactly_once));
  c->start();
  ASSERT_TRUE(run_until([&] { return events.subscribed == 1; }));
  for (int q = 0; q <= 2; ++q)
    ASSERT_OK(c->publish("v31/" + std::to_string(q), "m" + std::to_string(q), QoS(q)));
  ASSERT_TRUE(run_until([&] { return watcher.done(); }, 10s));
  EXPECT_EQ(watcher.output(), "v31/0 m0\nv31/1 m1\nv31/2 m2\n");
  // Away: what is published for it now waits in the broker's session.
  clients.clear();
  const std::string pub = "/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                          " -V mqttv31 -t in31/x";
  ASSERT_TRUE(shell(pub + " -m while-away -q 1"));
  Events back;
  c = &make(s, back);
  c->start();
  ASSERT_TRUE(run_until([&] { return back.payloads.size() == 1; })) << broker->log();
  EXPECT_EQ(back.payloads[0], "while-away");
  EXPECT_EQ(back.subscribed, 0) << "resumed: the broker kept the subscription";
  ASSERT_TRUE(shell(pub + " -m live -q 2"));
  ASSERT_TRUE(run_until([&] { return back.payloads.size() == 2; }));
  EXPECT_EQ(back.payloads[1], "live");
#ifdef SOCKKIT_CLI
  Spawned cli_watcher(sub_command("watch-31-cli", "cli31", 1));
  ASSERT_TRUE(subscribed("watch-31-cli")) << broker->log();
  auto [code, out] = cli("mqtt pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                         " -V mqttv31 -t cli31 -m from-cli -q 1");
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(run_until([&] { return cli_watcher.done(); }, 10s));
  EXPECT_EQ(cli_watcher.output(), "cli31 from-cli\n");
#endif
}

INSTANTIATE_TEST_SUITE_P(Mqtt31, Mosquitto31Test, ::testing::Values(Version::v3_1),
                         [](const auto&) { return std::string("v31"); });

INSTANTIATE_TEST_SUITE_P(Versions, MosquittoTest, ::testing::Values(Version::v3_1_1, Version::v5),
                         [](const ::testing::TestParamInfo<Version>& version) {
                           return version.param == Version::v5 ? std::string("v5")
                                                               : std::string("v311");
                         });

// QoS 1 and 2 through a path that goes silent: mosquitto in namespace B, both
// clients in A, the veth between them blackholed for 3 s mid-stream (root).
TEST(MosquittoNetns, Qos1AndQos2SurviveABlackholedPath) {
  if (!Mosquitto::available()) GTEST_SKIP() << "mosquitto and mosquitto-clients not installed";
  auto run = run_in_private_netns(
      [](std::string& report) -> int {
        TwoHosts hosts;
        std::string why;
        if (!hosts.setup(why)) {
          report = why;
          return 125;
        }
        Mosquitto broker("10.77.0.2", nullptr, hosts.enter_b());
        if (!broker.start(why)) {
          report = why;
          return 1;
        }
        auto loop = EventLoop::create();
        auto persistent = [&](const std::string& id) {
          mqtt::Options s;
          s.target = broker.target(broker.port);
          s.version = Version::v5;
          s.client_id = id;
          s.clean_session = false;
          s.session_expiry = std::chrono::seconds(3600);
          s.keepalive = std::chrono::seconds(1);
          s.transport.connect_timeout = 1s;
          s.transport.reconnect = {.initial = 100ms, .max = 400ms, .jitter = 0};
          return s;
        };
        Events sub_events, pub_events;
        auto sub = mqtt::Client::create(*loop, persistent("bh-sub"), sub_events);
        (void)sub->subscribe("seq/#", QoS::exactly_once);
        sub->start();
        auto pub = mqtt::Client::create(*loop, persistent("bh-pub"), pub_events);
        pub->start();
        auto tick = loop->add_repeating_timer(10ms, [] {});
        loop->run_until([&] { return sub_events.subscribed == 1 && pub_events.connected == 1; },
                        EventLoop::Clock::now() + 5s);
        if (sub_events.subscribed != 1 || pub_events.connected != 1) {
          report = "clients did not come up: " + broker.log();
          return 1;
        }
        constexpr int kEach = 100;
        int sent = 0;
        auto ticker = loop->add_repeating_timer(20ms, [&] {
          if (sent >= kEach) return;
          (void)pub->publish("seq/1", std::to_string(sent), QoS::at_least_once);
          (void)pub->publish("seq/2", std::to_string(sent), QoS::exactly_once);
          ++sent;
          if (sent == kEach / 3) hosts.blackhole();
        });
        loop->run_until([&] { return sent >= kEach / 3; }, EventLoop::Clock::now() + 10s);
        loop->run_until([] { return false; }, EventLoop::Clock::now() + 3s);  // silence
        hosts.heal();
        std::map<std::string, int> q1, q2;
        auto count = [&] {
          q1.clear();
          q2.clear();
          for (std::size_t i = 0; i < sub_events.topics.size(); ++i)
            ++(sub_events.topics[i] == "seq/1" ? q1 : q2)[sub_events.payloads[i]];
          return sent == kEach && q1.size() == kEach && q2.size() == kEach;
        };
        const bool all = loop->run_until(count, EventLoop::Clock::now() + 30s);
        count();
        loop->cancel_timer(ticker);
        loop->cancel_timer(tick);
        int twice = 0;
        for (auto& [payload, n] : q2)
          twice += n > 1;
        char line[256];
        std::snprintf(line, sizeof line,
                      "blackhole: QoS 1 %zu of %d, QoS 2 %zu of %d (%d twice); publisher "
                      "disconnects %zu, retransmitted %llu\n",
                      q1.size(), kEach, q2.size(), kEach, twice, pub_events.disconnects.size(),
                      static_cast<unsigned long long>(pub->stats().retransmitted));
        report += line;
        if (!all || twice != 0 || pub_events.disconnects.empty()) return 1;
        return 0;
      },
      80);
  if (!run.ran) GTEST_SKIP() << run.why;
  if (run.exit_code == 125) GTEST_SKIP() << run.report;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

}  // namespace
}  // namespace sockkit::test
