// SPDX-License-Identifier: MIT
// examples/udp_probe against its own responder, against a scripted one that
// first answers with the wrong id and then stays silent for a try, and
// against nobody.
#include <string>
#include <thread>

#include "support/cli_run.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using UdpProbeExample = SockkitTest;

TEST_F(UdpProbeExample, ItsOwnResponderAnswersTheFirstTry) {
  Background responder("--serve 127.0.0.1:0 --count 1", SOCKKIT_UDP_PROBE);
  ASSERT_FALSE(responder.address.empty()) << responder.rest();
  auto r = run_program(SOCKKIT_UDP_PROBE, responder.address + " --wait 2000");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("try 1"), std::string::npos) << r.output;
  EXPECT_EQ(responder.wait(), 0);  // one request answered: it exits
}

TEST_F(UdpProbeExample, AStaleAnswerIsIgnoredAndALostRequestIsSentAgain) {
  auto socket = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(socket);
  const std::string address = socket->local_endpoint()->to_string();
  ASSERT_OK(socket->set_receive_timeout(5s));
  std::vector<std::string> requests;
  std::string stale;
  std::thread responder([&] {
    char buf[64];
    // First try: answered with another id (an earlier request's, say), which
    // the probe must not take for its answer.
    auto first = socket->receive_from(std::span<char>(buf));
    if (!first) return;
    requests.emplace_back(buf, first->size);
    const unsigned id = static_cast<unsigned>(std::stoul(requests.back().substr(5)));
    stale = "PONG " + std::to_string(id - 1);
    (void)socket->send_to(stale, first->from);
    // Second try: answered properly.
    auto second = socket->receive_from(std::span<char>(buf));
    if (!second) return;
    requests.emplace_back(buf, second->size);
    (void)socket->send_to("PONG " + requests.back().substr(5), second->from);
  });
  auto r = run_program(SOCKKIT_UDP_PROBE, address + " --wait 200 --tries 3");
  responder.join();
  EXPECT_EQ(r.status, 0) << r.output;
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0], requests[1]);  // each try has its own id
  EXPECT_NE(r.output.find("ignored: " + stale), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("try 2"), std::string::npos) << r.output;
}

TEST_F(UdpProbeExample, NobodyListeningEndsAfterItsTriesWithExitOne) {
  auto socket = UdpSocket::bind(Endpoint::loopback_v4(0));
  ASSERT_OK(socket);
  const std::string address = socket->local_endpoint()->to_string();
  ASSERT_OK(socket->close());  // the port is closed: ICMP port unreachable each try
  auto r = run_program(SOCKKIT_UDP_PROBE, address + " --wait 50 --tries 2");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("no answer"), std::string::npos) << r.output;
}

TEST_F(UdpProbeExample, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(run_program(SOCKKIT_UDP_PROBE, "").status, 2);
  EXPECT_EQ(run_program(SOCKKIT_UDP_PROBE, "127.0.0.1:9 --tries 0").status, 2);
  EXPECT_EQ(run_program(SOCKKIT_UDP_PROBE, "127.0.0.1 --wait 10").status, 2);  // no port
}

}  // namespace
}  // namespace sockkit::test
