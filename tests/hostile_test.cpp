// SPDX-License-Identifier: MIT
// The hostile-peer suite (tests/hostile/hostile.cpp) against `sockkit
// echo-server` on every backend and in --blocking mode: the server survives,
// serves a new client during and after each attack, gives its descriptors
// back, does not spin while attackers idle, and its memory returns. On lwIP,
// where a process has one stack, sockkit-hostile serves its own echo Server
// and attacks it through the same stack.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

struct Mode {
  std::string name;     // test name suffix
  std::string server;   // echo-server arguments
  std::string hostile;  // extra sockkit-hostile arguments
};

std::string run_hostile(const std::string& arguments, int& status) {
  FILE* hostile = ::popen((std::string(SOCKKIT_HOSTILE) + " " + arguments + " 2>&1").c_str(), "r");
  if (hostile == nullptr) {
    status = -1;
    return "popen failed";
  }
  std::string report;
  char line[256];
  while (std::fgets(line, sizeof(line), hostile) != nullptr)
    report += line;
  status = ::pclose(hostile);
  std::printf("%s", report.c_str());
  return report;
}

bool succeeded(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#if defined(SOCKKIT_CLI)
class HostileSuite : public ::testing::TestWithParam<Mode> {};

TEST_P(HostileSuite, ServerSurvivesEveryAttack) {
  const Mode& mode = GetParam();
  const std::string cmd = std::string("timeout 120 ") + SOCKKIT_CLI +
                          " echo-server -q -l 127.0.0.1:0 -m 4096 " + mode.server;
  FILE* server = ::popen(cmd.c_str(), "r");
  ASSERT_TRUE(server);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof(line), server), nullptr);
  const std::string first(line);
  const auto at = first.find("listening on ");
  const auto pid_at = first.find("pid ");
  ASSERT_NE(at, std::string::npos) << first;
  ASSERT_NE(pid_at, std::string::npos) << first;
  const std::string address = first.substr(13, first.find(' ', 13) - 13);
  const int pid = std::atoi(first.c_str() + pid_at + 4);
  int status = 0;
  const std::string report =
      run_hostile(address + " --pid " + std::to_string(pid) + " " + mode.hostile, status);
  EXPECT_TRUE(succeeded(status)) << report;
  EXPECT_EQ(::kill(pid, 0), 0) << "the server died";
  ::kill(pid, SIGTERM);
  ::pclose(server);
}

INSTANTIATE_TEST_SUITE_P(EchoServer, HostileSuite,
                         ::testing::Values(Mode{"select", "-b select", "--holders 500"},
                                           Mode{"poll", "-b poll", ""},
                                           Mode{"epoll", "-b epoll", ""},
                                           Mode{"epoll_et", "-b epoll-et", ""},
                                           Mode{"uring", "-b uring", ""},
                                           Mode{"blocking", "--blocking", "--holders 300"}),
                         [](const ::testing::TestParamInfo<Mode>& p) { return p.param.name; });
#endif

// The server in sockkit-hostile's own process, on the stack it was built for:
// on lwIP its netconns are shared by the server and the attackers (128 in the
// roomy profile), so 40 idle holders.
class InProcessHostileSuite : public ::testing::TestWithParam<Mode> {};

TEST_P(InProcessHostileSuite, ServerSurvivesEveryAttack) {
  const auto built = compiled_backends();
  const auto wanted = parse_backend(GetParam().server);
  if (wanted && std::find(built.begin(), built.end(), *wanted) == built.end())
    GTEST_SKIP() << GetParam().server << " is not built here (SOCKKIT_BACKENDS)";
  int status = 0;
  const std::string report = run_hostile("--serve " + GetParam().server + " --holders 40", status);
  EXPECT_TRUE(succeeded(status)) << report;
  EXPECT_NE(report.find("all attacks survived"), std::string::npos) << report;
}

INSTANTIATE_TEST_SUITE_P(OwnServer, InProcessHostileSuite,
                         ::testing::Values(Mode{"select", "select", ""}, Mode{"poll", "poll", ""}),
                         [](const ::testing::TestParamInfo<Mode>& p) { return p.param.name; });

}  // namespace
}  // namespace sockkit::test
