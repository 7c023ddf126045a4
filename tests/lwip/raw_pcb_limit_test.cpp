// SPDX-License-Identifier: MIT
// The bare-metal stack at lwIP's TCP PCB limit, as a Linux client sees it: a
// device on a TAP device in a private namespace (root) serves kernel clients
// until lwIP's PCBs run out. Each connection is either served or refused at
// once; none is left without an answer (lwIP itself drops a SYN it has no PCB
// for, and the client retries for a minute). Closing one makes room again.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "lwip/tap_device.hpp"
#include "support/fixture.hpp"
#include "support/netns.hpp"
#include "support/server_thread.hpp"

namespace sockkit::test {
namespace {

constexpr std::uint16_t kPort = 7000;
// More than any lwIP profile of this stack holds: the roomy one has 128 PCBs.
constexpr int kMostConnections = 300;

enum class Answer { served, refused, reset, silent };

// A kernel client: connects (3 s at most) and sends a line; the device either
// echoes it, refuses the connection, resets it, or says nothing within 3 s.
Answer connect_and_ask(int& fd_out, std::string& report) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(kPort);
  inet_pton(AF_INET, "10.78.0.2", &to.sin_addr);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == ECONNREFUSED) return Answer::refused;
    if (e == ECONNRESET) return Answer::reset;
    report += std::string("connect: ") + std::strerror(e) + "\n";
    return Answer::silent;
  }
  char back[4] = {};
  ssize_t n = -1;
  if (::send(fd, "ping", 4, MSG_NOSIGNAL) == 4) n = ::recv(fd, back, sizeof back, MSG_WAITALL);
  const int e = errno;
  if (n == 4 && std::string(back, 4) == "ping") {
    fd_out = fd;
    return Answer::served;
  }
  ::close(fd);
  if (n == 0 || (n < 0 && (e == ECONNRESET || e == EPIPE))) return Answer::reset;
  report += "neither echoed nor reset within 3 s\n";
  return Answer::silent;
}

bool still_echoes(int fd) {
  char back[4] = {};
  return ::send(fd, "pong", 4, MSG_NOSIGNAL) == 4 &&
         ::recv(fd, back, sizeof back, MSG_WAITALL) == 4 && std::string(back, 4) == "pong";
}

int limit_body(std::string& report) {
  if (!bring_up_device(report)) return 2;
  EchoHandler echo;
  ServerThread server(Backend::poll, echo, {.max_connections = 100000},
                      Endpoint::ipv4({10, 78, 0, 2}, kPort));
  NETNS_CHECK(server.ok(), "lwIP server: " + server.error());

  std::vector<int> served;
  Answer last = Answer::served;
  while (static_cast<int>(served.size()) < kMostConnections) {
    int fd = -1;
    last = connect_and_ask(fd, report);
    if (last != Answer::served) break;
    served.push_back(fd);
  }
  report += "served " + std::to_string(served.size()) + " connections, then the next was " +
            (last == Answer::refused ? "refused at once\n"
             : last == Answer::reset ? "reset\n"
                                     : "left without an answer\n");
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      report += "FAILED: " + what + "\n";
      ++failures;
    }
  };
  check(last == Answer::refused, "the connection past lwIP's limit was refused at once");
  check(!served.empty(), "connections were served before the limit");
  int unharmed = 0;
  for (int fd : served)
    unharmed += still_echoes(fd) ? 1 : 0;
  check(unharmed == static_cast<int>(served.size()),
        "every served connection still echoes (" + std::to_string(unharmed) + " do)");
  // One gone, one more fits: the limit is lwIP's PCBs, not a count kept aside.
  if (!served.empty()) {
    ::close(served.back());
    served.pop_back();
  }
  bool room_again = false;
  for (int attempt = 0; attempt < 20 && !room_again; ++attempt) {  // the close takes a moment
    int fd = -1;
    const Answer a = connect_and_ask(fd, report);
    check(a != Answer::silent, "a connection after one closed got an answer");
    if (a == Answer::served) {
      room_again = true;
      served.push_back(fd);
    } else {
      ::usleep(100 * 1000);
    }
  }
  check(room_again, "a connection is served again once one has closed");
  for (int fd : served)
    ::close(fd);
  return failures == 0 ? 0 : 4;
}

TEST(LwipRawTap, ConnectionsPastLwipsPcbLimitAreRefusedNotLeftHanging) {
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(limit_body, 100);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

}  // namespace
}  // namespace sockkit::test
