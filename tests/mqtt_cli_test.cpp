// SPDX-License-Identifier: MIT
// The `sockkit mqtt` commands and the MQTT examples against mosquitto, with
// mosquitto_pub and mosquitto_sub on the other side.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "support/mosquitto_fixture.hpp"
#include "support/netns.hpp"

namespace sockkit::test {
namespace {

#ifdef SOCKKIT_CLI

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

// A burst of QoS 2 messages from mosquitto_pub reaches `sockkit mqtt sub`
// whole and in order (on MQTT 3.1.1 nothing bounds the broker's unreleased
// QoS 2 messages), even when the subscribers stall mid-burst as on a loaded
// machine (the test broker queues without limit, so what is lost is the
// client's). On 3.1.1 mosquitto_sub, subscribed beside it, gets the same; on
// MQTT 5, Debian's mosquitto_sub (2.0.11) ends the burst with "A network
// protocol error", so there sockkit is checked alone.
TEST_P(MosquittoTest, QosTwoBurstArrivesWholeAsAtMosquittoSub) {
  constexpr int kMessages = 20000;
  const std::string at = "-h 127.0.0.1 -p " + std::to_string(broker->port) + " -V " +
                         version_flag(GetParam()) + " -t burst -q 2 -C " +
                         std::to_string(kMessages) + " -W 60";
  const bool with_reference = GetParam() == Version::v3_1_1;
  Spawned ours(std::string(SOCKKIT_CLI) + " mqtt sub -i burst-ours " + at);
  std::optional<Spawned> reference;
  if (with_reference) reference.emplace("/usr/bin/mosquitto_sub -i burst-reference " + at);
  ASSERT_TRUE(subscribed("burst-ours")) << broker->log();
  if (with_reference) {
    ASSERT_TRUE(subscribed("burst-reference")) << broker->log();
  }
  Spawned publisher("seq 1 " + std::to_string(kMessages) +
                    " | timeout 60 /usr/bin/mosquitto_pub -h 127.0.0.1 -p " +
                    std::to_string(broker->port) + " -V " + version_flag(GetParam()) +
                    " -t burst -q 2 -l");
  std::this_thread::sleep_for(300ms);
  ours.stall(2s);
  if (reference) reference->stall(2s);
  ASSERT_TRUE(run_until([&] { return publisher.done(); }, 60s));
  EXPECT_EQ(publisher.exit_code(), 0) << publisher.output();
  ASSERT_TRUE(run_until([&] { return ours.done() && (!reference || reference->done()); }, 60s));
  std::string expected;
  for (int i = 1; i <= kMessages; ++i)
    expected += std::to_string(i) + "\n";
  if (reference) {
    EXPECT_EQ(reference->exit_code(), 0);
    EXPECT_TRUE(reference->output() == expected) << "the reference lost messages: the test is void";
  }
  EXPECT_EQ(ours.exit_code(), 0) << ours.output().substr(0, 200);
  const std::string got = ours.output();
  EXPECT_TRUE(got == expected) << "received " << std::count(got.begin(), got.end(), '\n')
                               << " lines of " << kMessages;
}

// `pub -l` publishes each line as it is written, as mosquitto_pub does (it
// read all of stdin first), and skips empty lines: with -r an empty retained
// message would delete the broker's.
TEST_P(MosquittoTest, CliPubLinesStreamsAndSkipsEmptyLines) {
  char dir[] = "/tmp/sockkit-fifo-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string fifo = std::string(dir) + "/stdin";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Spawned sub(sub_command("lines-watcher", "cli/lines", 2));
  ASSERT_TRUE(subscribed("lines-watcher")) << broker->log();
  Spawned pub(std::string(SOCKKIT_CLI) + " mqtt pub -h 127.0.0.1 -p " +
              std::to_string(broker->port) + " -V " + version_flag(GetParam()) +
              " -t cli/lines -q 1 -l < " + fifo);
  const int writer = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // waits for the reader
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::write(writer, "first\n\n", 7), 7);
  // The first line arrives while stdin is still open.
  EXPECT_TRUE(run_until([&] { return sub.output().find("first") != std::string::npos; }, 10s))
      << "nothing published before stdin closed";
  ASSERT_EQ(::write(writer, "\r\nsecond", 8), 8);  // the last line has no newline
  ::close(writer);
  ASSERT_TRUE(run_until([&] { return sub.done() && pub.done(); }, 10s));
  EXPECT_EQ(pub.exit_code(), 0) << pub.output();
  EXPECT_EQ(sub.output(), "cli/lines first\ncli/lines second\n");
  ::unlink(fifo.c_str());
  ::rmdir(dir);
}

// Scripts written for mosquitto's clients read their exit statuses: sockkit's
// commands give the same ones, case by case, beside the reference.
TEST_P(MosquittoTest, CliExitStatusesAreMosquittos) {
  const std::string version = std::string(" -V ") + version_flag(GetParam());
  const std::string refused =
      " -h 127.0.0.1 -p " + std::to_string(broker->auth_port) + version + " -u meter -P wrong -t x";
  const std::string open = " -h 127.0.0.1 -p " + std::to_string(broker->port) + version + " -t x";
  struct Row {
    const char* what;
    std::string ours, reference;
  };
  const Row rows[] = {
      {"sub refused at CONNACK", "mqtt sub" + refused + " -C 1",
       "mosquitto_sub" + refused + " -C 1"},
      {"pub refused at CONNACK", "mqtt pub" + refused + " -m y",
       "mosquitto_pub" + refused + " -m y"},
      {"sub -W without -C", "mqtt sub" + open + " -W 1", "mosquitto_sub" + open + " -W 1"},
  };
  for (const Row& row : rows) {
    auto [ours, ours_out] = cli(row.ours);
    auto [reference, reference_out] = cli_program("/usr/bin/" + row.reference);
    EXPECT_NE(reference, 0) << row.what << ": the reference succeeded: " << reference_out;
    EXPECT_EQ(ours, reference) << row.what << "\nsockkit: " << ours_out
                               << "mosquitto: " << reference_out;
  }
  // The refusal's code itself: 3.1.1's "not authorised" is 5, MQTT 5's 0x87 is 135.
  EXPECT_EQ(cli("mqtt sub" + refused + " -C 1").first, GetParam() == Version::v5 ? 135 : 5);
  // Usage errors: 2 (mosquitto's are 1), with the reason.
  auto [k, k_out] = cli("mqtt sub" + open + " -k 3 -C 1");
  EXPECT_EQ(k, 2) << k_out;
  auto [c, c_out] = cli("mqtt sub" + open + " -c -C 1");
  EXPECT_EQ(c, 2) << c_out;
  EXPECT_NE(c_out.find("-c needs a client id"), std::string::npos) << c_out;
}

// A broker that hangs up on the message (3.1.1 past mosquitto's
// max_packet_size): mosquitto_pub says the connection was lost and exits 7
// at once; so does `sockkit mqtt pub`, which used to reconnect and resend
// until its timeout. On MQTT 5 the broker's limit is known from CONNACK:
// sockkit refuses the message (exit 1), mosquitto_pub sends nothing and exits 0.
TEST_P(MosquittoTest, CliPubEndsAtOnceWhenTheBrokerHangsUpAsMosquittoPubDoes) {
  broker->stop();
  broker->add_option("max_packet_size 200");
  std::string why;
  ASSERT_TRUE(broker->start(why)) << why;
  const std::string args = " -h 127.0.0.1 -p " + std::to_string(broker->port) + " -V " +
                           version_flag(GetParam()) + " -t big -q 1 -m " + std::string(1000, 'x');
  const auto start = std::chrono::steady_clock::now();
  auto [ours, ours_out] = cli("mqtt pub" + args + " --timeout 10");
  const auto took = std::chrono::steady_clock::now() - start;
  auto [reference, reference_out] = cli_program("/usr/bin/mosquitto_pub" + args);
  if (GetParam() == Version::v5) {
    EXPECT_EQ(ours, 1) << ours_out;
    EXPECT_NE(ours_out.find("packet too large"), std::string::npos) << ours_out;
    return;
  }
  EXPECT_EQ(reference, 7) << reference_out;
  EXPECT_EQ(ours, reference) << "sockkit: " << ours_out << "mosquitto: " << reference_out;
  EXPECT_NE(ours_out.find("connection lost"), std::string::npos) << ours_out;
  EXPECT_LT(took, std::chrono::seconds(5)) << "waited for its timeout";
}

// `sub -C 1 -q 2` completes the last message's QoS 2 flow (PUBREL answered
// with PUBCOMP) before its DISCONNECT, as mosquitto_sub does; the broker's
// log shows the order.
TEST_P(MosquittoTest, CliSubCompletesTheLastQosTwoFlowBeforeDisconnecting) {
  Spawned sub(std::string(SOCKKIT_CLI) + " mqtt sub -h 127.0.0.1 -p " +
              std::to_string(broker->port) + " -V " + version_flag(GetParam()) +
              " -i cli-q2 -t cli/q2 -q 2 -C 1 -W 10");
  ASSERT_TRUE(subscribed("cli-q2")) << broker->log();
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker->port) +
                    " -t cli/q2 -m last -q 2"));
  ASSERT_TRUE(run_until([&] { return sub.done(); }, 10s));
  EXPECT_EQ(sub.exit_code(), 0) << sub.output();
  EXPECT_EQ(sub.output(), "last\n");
  ASSERT_TRUE(run_until(
      [&] { return broker->log().find("Received DISCONNECT from cli-q2") != std::string::npos; },
      5s))
      << broker->log();
  const std::string log = broker->log();
  const auto pubcomp = log.find("Received PUBCOMP from cli-q2");
  ASSERT_NE(pubcomp, std::string::npos) << "the QoS 2 flow was left half done\n" << log;
  EXPECT_LT(pubcomp, log.find("Received DISCONNECT from cli-q2")) << log;
}

// 5 MB payloads both ways, byte for byte, as mosquitto's clients move them:
// a PUBLISH larger than the transport's usual write queue, and an incoming
// one larger than the library's default max_packet_size.
TEST_P(MosquittoTest, FiveMegabytePayloadsArriveByteExactBothWays) {
  char dir[] = "/tmp/sockkit-big-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string payload = std::string(dir) + "/payload";
  {
    std::ofstream out(payload, std::ios::binary);
    std::uint32_t x = 2463534242u;
    for (int i = 0; i < 5'000'000; ++i) {  // printable, so -N output is the payload itself
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      out.put(static_cast<char>('a' + x % 26));
    }
  }
  const std::string at =
      " -h 127.0.0.1 -p " + std::to_string(broker->port) + " -V " + version_flag(GetParam());
  const std::string got_ours = std::string(dir) + "/ours",
                    got_reference = std::string(dir) + "/ref";
  // sockkit publishes, mosquitto_sub receives.
  Spawned reference("/usr/bin/mosquitto_sub" + at + " -i big-reference -t big/a -C 1 -N -W 30");
  ASSERT_TRUE(subscribed("big-reference")) << broker->log();
  auto [code, out] = cli("mqtt pub" + at + " -t big/a -q 1 -f " + payload);
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(run_until([&] { return reference.done(); }, 30s));
  EXPECT_TRUE(
      reference.output() ==
      std::string(std::istreambuf_iterator<char>(std::ifstream(payload, std::ios::binary).rdbuf()),
                  {}))
      << "mosquitto_sub got " << reference.output().size() << " bytes";
  // mosquitto_pub publishes, sockkit receives.
  Spawned ours(std::string(SOCKKIT_CLI) + " mqtt sub" + at + " -i big-ours -t big/b -C 1 -N -W 30");
  ASSERT_TRUE(subscribed("big-ours")) << broker->log();
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub" + at + " -t big/b -q 1 -f " + payload));
  ASSERT_TRUE(run_until([&] { return ours.done(); }, 30s));
  EXPECT_EQ(ours.exit_code(), 0);
  EXPECT_TRUE(ours.output() == std::string(std::istreambuf_iterator<char>(
                                               std::ifstream(payload, std::ios::binary).rdbuf()),
                                           {}))
      << "sockkit got " << ours.output().size() << " bytes";
  std::filesystem::remove_all(dir);
}

TEST_P(MosquittoTest, CliReportsRefusalsClearly) {
  auto [code, out] = cli("mqtt pub -h 127.0.0.1 -p " + std::to_string(broker->auth_port) + " -V " +
                         version_flag(GetParam()) + " -u meter -P wrong -t x -m y");
  EXPECT_EQ(code, GetParam() == Version::v5 ? 135 : 5) << "mosquitto_pub's status";
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

// The same words through mosquitto's clients and sockkit's: -L, -s,
// --repeat, -T, -E and --retained-only print and exit the same way.
TEST_P(MosquittoTest, CliUrlRepeatFilterAndEndingsAreMosquittos) {
  const std::string url = "mqtt://127.0.0.1:" + std::to_string(broker->port);
  const std::string v = " -V " + std::string(version_flag(GetParam()));
  const std::string watch = " -L '" + url + "/c2/#' -T c2/skip -C 4 -W 10 -v -q 1" + v;
  Spawned reference("/usr/bin/mosquitto_sub -i c2-ref" + watch);
  Spawned sockkit(std::string(SOCKKIT_CLI) + " mqtt sub -i c2-sk" + watch);
  ASSERT_TRUE(subscribed("c2-ref") && subscribed("c2-sk")) << broker->log();
  auto [code, out] =
      cli("mqtt pub -L " + url + "/c2/rep -m r --repeat 3 --repeat-delay 0.05 -q 1" + v);
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = cli("mqtt pub -L " + url + "/c2/skip -m filtered-out -q 1" + v);
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = cli_program("printf 'all of stdin' | " + std::string(SOCKKIT_CLI) +
                                    " mqtt pub -L " + url + "/c2/whole -s -q 1" + v);
  EXPECT_EQ(code, 0) << out;
  ASSERT_TRUE(run_until([&] { return reference.done() && sockkit.done(); }, 10s));
  EXPECT_EQ(reference.output(), "c2/rep r\nc2/rep r\nc2/rep r\nc2/whole all of stdin\n");
  EXPECT_EQ(sockkit.output(), reference.output());

  // -E: out as soon as the subscriptions are acknowledged.
  const std::string ending = " -h 127.0.0.1 -p " + std::to_string(broker->port) + v;
  auto [ref_code, ref_out] = cli_program("/usr/bin/mosquitto_sub -t a -t b -E" + ending);
  std::tie(code, out) = cli("mqtt sub -t a -t b -E" + ending);
  EXPECT_EQ(ref_code, 0) << ref_out;
  EXPECT_EQ(code, 0) << out;

  // --retained-only: the retained message, then out at the first live one.
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -t c3/kept -m old -r -q 1" + ending));
  Spawned ref_retained("/usr/bin/mosquitto_sub -t 'c3/#' --retained-only -v -i c3-ref" + ending);
  Spawned sk_retained(std::string(SOCKKIT_CLI) + " mqtt sub -t 'c3/#' --retained-only -v -i c3-sk" +
                      ending);
  ASSERT_TRUE(subscribed("c3-ref") && subscribed("c3-sk")) << broker->log();
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -t c3/live -m new -q 1" + ending));
  ASSERT_TRUE(run_until([&] { return ref_retained.done() && sk_retained.done(); }, 10s));
  EXPECT_EQ(ref_retained.output(), "c3/kept old\n");
  EXPECT_EQ(sk_retained.output(), ref_retained.output());
  EXPECT_EQ(sk_retained.exit_code(), ref_retained.exit_code());
  ASSERT_TRUE(shell("/usr/bin/mosquitto_pub -t c3/kept -n -r -q 1" + ending));
}

#if SOCKKIT_TEST_TLS
TEST_P(MosquittoTest, CliOverTlsAndMutualTls) {
  const std::string common = " -h 127.0.0.1 -t tls -m y -q 1 --cafile " + pki->ca();
  auto [code, out] = cli("mqtt pub -p " + std::to_string(broker->tls_port) + common);
  EXPECT_EQ(code, 0) << out;
  std::tie(code, out) = cli("mqtt pub -p " + std::to_string(broker->mtls_port) + common +
                            " --cert " + pki->cert("client") + " --key " + pki->key("client"));
  EXPECT_EQ(code, 0) << out;
  const std::string untrusted = " -p " + std::to_string(broker->tls_port) +
                                " -h 127.0.0.1 -t tls -m y --cafile " + pki->other_ca();
  std::tie(code, out) = cli("mqtt pub" + untrusted);
  auto [reference, reference_out] = cli_program("/usr/bin/mosquitto_pub" + untrusted);
  EXPECT_EQ(code, 8) << "a TLS failure, as mosquitto_pub's MOSQ_ERR_TLS";
  // mosquitto_pub 2.0.11 exits 8, or 1 ("Unable to connect") when its first
  // connect already fails; which one varies from run to run. sockkit: always 8.
  EXPECT_TRUE(reference == 8 || reference == 1) << reference << " " << reference_out;
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

}  // namespace
}  // namespace sockkit::test
