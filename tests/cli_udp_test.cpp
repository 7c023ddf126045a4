// SPDX-License-Identifier: MIT
// `sockkit udp-send` and `sockkit udp-recv` as a user pipes them: the banner
// on stderr and only data on stdout, loopback unless asked, stdin's lines as
// datagrams, and request/response probes that wait for the reply.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/cli_run.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using CliUdpTest = SockkitTest;

// A UDP port nobody listens on: bound for a moment, then given back.
std::uint16_t free_udp_port() {
  auto probe = UdpSocket::bind(Endpoint::loopback_v4(0));
  return probe ? probe->local_endpoint()->port() : 9;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

// The banner reaches the pipe through stderr (2>&1), data a file of its own.
TEST_F(CliUdpTest, SendAndReceiveReportSenderAndTruncation) {
  Background rx("udp-recv -l 127.0.0.1:0 -n 2 --buffer 4 -t 10 2>&1");
  ASSERT_FALSE(rx.address.empty());
  EXPECT_EQ(run("udp-send " + rx.address + " hi").status, 0);
  EXPECT_EQ(run("udp-send " + rx.address + " longer").status, 0);
  const std::string out = rx.rest();
  EXPECT_EQ(rx.wait(), 0);
  EXPECT_NE(out.find(" 2 hi\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" 6 truncated long\n"), std::string::npos) << out;
  EXPECT_NE(out.find("127.0.0.1:"), std::string::npos) << out;
}

TEST_F(CliUdpTest, ReceiveTimesOutClearly) {
  auto r = run("udp-recv -l 127.0.0.1:0 -t 0.2");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("[timed_out]"), std::string::npos) << r.output;
}

TEST_F(CliUdpTest, RawModeWritesOnlyThePayloadsToStdout) {
  const auto out =
      std::filesystem::temp_directory_path() / ("sockkit-udp-raw-" + std::to_string(::getpid()));
  {
    Background rx("udp-recv -l 127.0.0.1:0 -n 2 --raw -t 10 2>&1 1>" + out.string());
    ASSERT_FALSE(rx.address.empty()) << "the banner did not come on stderr";
    EXPECT_EQ(run("udp-send " + rx.address + " hello").status, 0);
    EXPECT_EQ(run("udp-send " + rx.address + " world").status, 0);
    EXPECT_EQ(rx.wait(), 0);
  }
  EXPECT_EQ(read_file(out), "helloworld");
  std::filesystem::remove(out);
}

TEST_F(CliUdpTest, ReceiveListensOnLoopbackUnlessAsked) {
  auto r = run("udp-recv -n 1 -t 0.2");
  EXPECT_EQ(r.status, 1) << r.output;  // timed out, or the port was taken
  EXPECT_NE(r.output.find("127.0.0.1:5000"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("0.0.0.0"), std::string::npos) << r.output;
}

TEST_F(CliUdpTest, EachLineOfStdinIsOneDatagram) {
  Background rx("udp-recv -l 127.0.0.1:0 -n 3 -t 10 2>&1");
  ASSERT_FALSE(rx.address.empty());
  auto send = run("udp-send " + rx.address, "one\\ntwo\\n\\nthree\\n");
  EXPECT_EQ(send.status, 0) << send.output;
  const std::string out = rx.rest();
  EXPECT_EQ(rx.wait(), 0) << out;
  EXPECT_NE(out.find(" 3 one\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" 3 two\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" 5 three\n"), std::string::npos) << out;
  // Repeating applies to a MESSAGE, not to stdin.
  auto repeat = run("udp-send " + rx.address + " -n 2");
  EXPECT_EQ(repeat.status, 2) << repeat.output;
  EXPECT_NE(repeat.output.find("requires message"), std::string::npos) << repeat.output;
}

// A request/response probe: the reply is printed, silence is timed_out, and
// a port nobody listens on is connection_refused at once.
TEST_F(CliUdpTest, SendWaitsForTheReplyWhenAsked) {
  auto responder = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(responder);
  ASSERT_OK(responder->set_receive_timeout(10s));
  std::thread answer([&] {
    char buf[64];
    auto d = responder->receive_from(std::span<char>(buf));
    if (!d) return;
    std::string reply(buf, d->size);
    std::reverse(reply.begin(), reply.end());
    (void)responder->send_to(reply, d->from);
  });
  auto r = run("udp-send " + responder->local_endpoint()->to_string() + " ping --reply 5");
  answer.join();
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "gnip\n");

  auto silent = UdpSocket::bind(Endpoint::loopback_v4(0));  // bound, never answers
  ASSERT_OK(silent);
  auto quiet = run("udp-send " + silent->local_endpoint()->to_string() + " ping --reply 0.3");
  EXPECT_EQ(quiet.status, 1) << quiet.output;
  EXPECT_NE(quiet.output.find("[timed_out]"), std::string::npos) << quiet.output;

  const std::string closed = "127.0.0.1:" + std::to_string(free_udp_port());
  auto refused = run("udp-send " + closed + " ping --reply 5");
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("[connection_refused]"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace sockkit::test
