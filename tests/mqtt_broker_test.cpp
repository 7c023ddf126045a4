// The MQTT client against mosquitto, Debian's broker, started by each test on
// loopback (and, for the blackholed path, in a network namespace as root):
// round trips with mosquitto_pub and mosquitto_sub, QoS 1 and 2 across a
// broker restart and a blackhole, the will, credentials, TLS and mutual TLS,
// a Unix socket, and the `sockkit mqtt` commands.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/fixture.hpp"
#include "support/mosquitto.hpp"
#include "support/netns.hpp"
#include "support/two_hosts.hpp"
#if SOCKKIT_TEST_TLS
#include "support/test_pki.hpp"
#endif

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;
using mqtt::QoS;
using mqtt::Version;

/// A command run in the background with its output in a file, ended by PID.
class Spawned {
 public:
  explicit Spawned(const std::string& command) {
    char path[] = "/tmp/sockkit-mqtt-out-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    out_ = path;
    pid_ = fork();
    if (pid_ == 0) {
      const std::string line = "exec " + command + " >" + out_ + " 2>&1";
      execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Spawned() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    ::unlink(out_.c_str());
  }
  /// True once it has exited (its status in `status`).
  bool done() {
    if (pid_ <= 0) return true;
    if (waitpid(pid_, &status_, WNOHANG) != pid_) return false;
    pid_ = -1;
    return true;
  }
  int exit_code() const { return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }
  std::string output() const {
    std::ifstream in(out_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string out_;
  pid_t pid_ = -1;
  int status_ = 0;
};

struct Events : mqtt::Handler {
  int connected = 0;
  std::vector<std::error_code> disconnects, connect_failures;
  std::vector<mqtt::Message> raw;
  std::vector<std::string> topics, payloads;
  std::vector<bool> retained;
  std::size_t published = 0, subscribed = 0;
  std::vector<std::error_code> publish_errors;
  void on_connected(bool) override { ++connected; }
  void on_disconnected(std::error_code why) override { disconnects.push_back(why); }
  void on_connect_failed(std::error_code why) override { connect_failures.push_back(why); }
  void on_message(const mqtt::Message& m) override {
    topics.emplace_back(m.topic);
    payloads.emplace_back(m.text());
    retained.push_back(m.retain);
  }
  void on_published(std::uint64_t, std::error_code result) override {
    ++published;
    if (result) publish_errors.push_back(result);
  }
  void on_subscribed(std::span<const mqtt::Subscription>,
                     std::span<const std::error_code>) override {
    ++subscribed;
  }
};

const char* version_flag(Version v) {
  return v == Version::v5 ? "mqttv5" : "mqttv311";
}

class MosquittoTest : public SockkitTest, public ::testing::WithParamInterface<Version> {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (!Mosquitto::available()) GTEST_SKIP() << "mosquitto and mosquitto-clients not installed";
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
#if SOCKKIT_TEST_TLS
    pki = std::make_unique<TestPki>();
    ASSERT_TRUE(pki->ok()) << pki->error();
    broker = std::make_unique<Mosquitto>("127.0.0.1", pki.get());
#else
    broker = std::make_unique<Mosquitto>("127.0.0.1");
#endif
    std::string why;
    ASSERT_TRUE(broker->start(why)) << why;
  }
  void TearDown() override {
    clients.clear();
    if (loop) loop->run_until([] { return false; }, EventLoop::Clock::now() + 20ms);
    broker.reset();
    loop.reset();
    SockkitTest::TearDown();
  }

  mqtt::Settings settings(std::string id, std::uint16_t port = 0) {
    mqtt::Settings s;
    s.target = broker->target(port != 0 ? port : broker->port);
    s.version = GetParam();
    s.client_id = std::move(id);
    s.transport.reconnect = {.initial = 50ms, .max = 300ms, .jitter = 0};
    return s;
  }
  mqtt::Client& make(mqtt::Settings s, Events& events) {
    auto c = mqtt::Client::create(*loop, std::move(s), events);
    EXPECT_TRUE(c.has_value());
    clients.push_back(std::move(*c));
    return *clients.back();
  }
  /// Runs the loop until `done`; it also wakes every 10 ms, for conditions outside
  /// the loop (another process's output, the broker's log).
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto tick = loop->add_repeating_timer(10ms, [] {});
    const bool ok = loop->run_until(done, EventLoop::Clock::now() + limit);
    loop->cancel_timer(tick);
    return ok;
  }
  /// Waits until mosquitto has answered a SUBSCRIBE of client `id` (its log says so).
  bool subscribed(const std::string& id) {
    return run_until([&] { return broker->log().find("SUBACK to " + id) != std::string::npos; });
  }
  std::string sub_command(const std::string& id, const std::string& topic, int count) {
    return "/usr/bin/mosquitto_sub -h 127.0.0.1 -p " + std::to_string(broker->port) + " -V " +
           version_flag(GetParam()) + " -i " + id + " -t '" + topic + "' -q 2 -v -C " +
           std::to_string(count) + " -W 10";
  }

  std::unique_ptr<EventLoop> loop;
#if SOCKKIT_TEST_TLS
  std::unique_ptr<TestPki> pki;
#endif
  std::unique_ptr<Mosquitto> broker;
  std::vector<std::unique_ptr<mqtt::Client>> clients;
};

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
  auto v = mqtt::Client::create(*loop, s, vanishing);
  ASSERT_OK(v);
  (*v)->start();
  ASSERT_TRUE(run_until([&] { return graceful.connected == 1 && vanishing.connected == 1; }));
  g.stop();    // DISCONNECT: no will
  v->reset();  // no DISCONNECT: the broker publishes the will
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
  // TLS 1.3 finishes the client's handshake before the server checks: the
  // refusal then ends the connection instead of the attempt.
  ASSERT_TRUE(
      run_until([&] { return !refused.connect_failures.empty() || !refused.disconnects.empty(); }));
  const auto why =
      refused.connect_failures.empty() ? refused.disconnects[0] : refused.connect_failures[0];
  EXPECT_TRUE(why == errc::tls_handshake_failed || why == errc::tls_protocol_error ||
              why == errc::connection_reset || why == errc::peer_closed)
      << why.message();
  EXPECT_EQ(refused.connected, 0);
}
#endif

#ifdef SOCKKIT_CLI
/// Runs a program to its end (15 s at most); its exit status and output.
std::pair<int, std::string> cli_program(const std::string& command) {
  Spawned run(command);
  for (int i = 0; i < 1500 && !run.done(); ++i)
    usleep(10000);
  return {run.done() ? run.exit_code() : -1, run.output()};
}

/// Runs the `sockkit` program with `args`.
std::pair<int, std::string> cli(const std::string& args) {
  return cli_program(std::string(SOCKKIT_CLI) + " " + args);
}

TEST_P(MosquittoTest, CliPubReachesMosquittoSub) {
  Spawned sub(sub_command("cli-watcher", "cli/#", 2));
  ASSERT_TRUE(subscribed("cli-watcher")) << broker->log();
  const std::string at =
      "-h 127.0.0.1 -p " + std::to_string(broker->port) + " -V " + version_flag(GetParam());
  auto [code, out] = cli("mqtt pub " + at + " -t cli/a -m 'hello there' -q 1");
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = cli("mqtt pub " + at + " -t cli/b -m second -q 2 -r");
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
  EXPECT_EQ(sub.output(), "cli/a hello there\ncli/b second\n");
}

TEST_P(MosquittoTest, MosquittoPubReachesCliSub) {
  Spawned sub(std::string(SOCKKIT_CLI) + " mqtt sub -h 127.0.0.1 -p " +
              std::to_string(broker->port) + " -V " + version_flag(GetParam()) +
              " -i cli-sub -t 'cli/#' -v -C 2 -q 2 -W 10");
  ASSERT_TRUE(subscribed("cli-sub")) << broker->log();
  for (int q : {1, 2})
    ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                      " -t cli/" + std::to_string(q) + " -m m" + std::to_string(q) + " -q " +
                      std::to_string(q)));
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
  EXPECT_EQ(sub.exit_code(), 0);
  EXPECT_EQ(sub.output(), "cli/1 m1\ncli/2 m2\n");
}

TEST_P(MosquittoTest, CliReportsRefusalsClearly) {
  auto [code, out] = cli("mqtt pub -h 127.0.0.1 -p " + std::to_string(broker->auth_port) + " -V " +
                         version_flag(GetParam()) + " -u meter -P wrong -t x -m y");
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("[permission_denied]"), std::string::npos) << out;
  std::tie(code, out) = cli("mqtt pub -h 127.0.0.1 -p " + std::to_string(broker->auth_port) +
                            " -u meter -P s3cret -t x -m y -q 1 -V " + version_flag(GetParam()));
  EXPECT_EQ(code, 0) << out;
}

#ifdef SOCKKIT_SMART_METER
/// The examples speak MQTT 5 only: their suite runs that version alone.
class MosquittoExampleTest : public MosquittoTest {};

TEST_P(MosquittoExampleTest, SmartMeterPublishesItsReadings) {
  Spawned sub(sub_command("meter-watcher", "meters/+/reading", 3));
  ASSERT_TRUE(subscribed("meter-watcher")) << broker->log();
  auto [code, out] = cli_program(std::string(SOCKKIT_SMART_METER) + " --fast --count 3 --id m7 " +
                                 broker->target(broker->port));
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("3 readings, 3 acknowledged, 0 dropped"), std::string::npos) << out;
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
  EXPECT_EQ(sub.output(),
            "meters/m7/reading reading 1 kWh\nmeters/m7/reading reading 2 kWh\n"
            "meters/m7/reading reading 3 kWh\n");
}

TEST_P(MosquittoExampleTest, IotGatewayForwardsSummaries) {
  Spawned sub(sub_command("gw-watcher", "gateways/+/summary", 2));
  ASSERT_TRUE(subscribed("gw-watcher")) << broker->log();
  std::string tls_args;
#if SOCKKIT_TEST_TLS
  tls_args = " --cafile " + pki->ca();  // over TLS, to mosquitto's TLS listener
  const auto port = broker->tls_port;
#else
  const auto port = broker->port;
#endif
  auto [code, out] = cli_program(std::string(SOCKKIT_IOT_GATEWAY) + " --sensors 4 --seconds 3" +
                                 tls_args + " " + broker->target(port));
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
  const std::string got = sub.output();
  EXPECT_EQ(got.rfind("gateways/gateway-1/summary summary 1 node-", 0), 0u) << got;
  EXPECT_NE(got.find("node-3="), std::string::npos) << got;
}
#endif

#if SOCKKIT_TEST_TLS
TEST_P(MosquittoTest, CliOverTlsAndMutualTls) {
  const std::string common = " -h 127.0.0.1 -t tls -m y -q 1 --cafile " + pki->ca();
  auto [code, out] = cli("mqtt pub -p " + std::to_string(broker->tls_port) + common);
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = cli("mqtt pub -p " + std::to_string(broker->mtls_port) + common +
                            " --cert " + pki->cert("client") + " --key " + pki->key("client"));
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = cli("mqtt pub -p " + std::to_string(broker->tls_port) +
                            " -h 127.0.0.1 -t tls -m y --cafile " + pki->other_ca());
  EXPECT_EQ(code, 1);
  EXPECT_NE(out.find("[tls_untrusted]"), std::string::npos) << out;
}
#endif
#endif

#if defined(SOCKKIT_CLI) && defined(SOCKKIT_SMART_METER)
INSTANTIATE_TEST_SUITE_P(Examples, MosquittoExampleTest, ::testing::Values(Version::v5),
                         [](const ::testing::TestParamInfo<Version>&) {
                           return std::string("v5");
                         });
#endif

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
        auto loop = std::move(*EventLoop::create());
        auto persistent = [&](const std::string& id) {
          mqtt::Settings s;
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
        auto sub = std::move(*mqtt::Client::create(*loop, persistent("bh-sub"), sub_events));
        (void)sub->subscribe("seq/#", QoS::exactly_once);
        sub->start();
        auto pub = std::move(*mqtt::Client::create(*loop, persistent("bh-pub"), pub_events));
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
