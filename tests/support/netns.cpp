// SPDX-License-Identifier: MIT
#include "support/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace sockkit::test {

bool shell(const std::string& command) {
  const int raw = std::system((command + " >/dev/null 2>&1").c_str());
  return raw != -1 && WIFEXITED(raw) && WEXITSTATUS(raw) == 0;
}

NetnsRun run_in_private_netns(const std::function<int(std::string& report)>& body, int timeout_s) {
  NetnsRun out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    out.why = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    out.why = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return out;
  }
  if (child == 0) {
    ::close(fds[0]);
    std::string report;
    int code = 0;
    if (::unshare(CLONE_NEWNET) != 0) {
      report = std::string("cannot create a network namespace: ") + std::strerror(errno) +
               " (needs root / CAP_NET_ADMIN)";
      code = 125;
    } else if (!shell("ip link set dev lo up")) {
      report = "cannot bring lo up in the new namespace (is iproute2 installed?)";
      code = 125;
    } else {
      code = body(report);
    }
    (void)!::write(fds[1], report.data(), report.size());
    ::_exit(code);
  }
  ::close(fds[1]);
  // Bounded wait: a hung child is killed, never waited on forever.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      out.why = "timed out after " + std::to_string(timeout_s) + " s";
      ::close(fds[0]);
      return out;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;)
    out.report.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 125) {
    out.why = out.report;
    return out;
  }
  out.ran = true;
  out.exit_code = code;
  return out;
}

}  // namespace sockkit::test
