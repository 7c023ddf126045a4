// SPDX-License-Identifier: MIT
// Running a piece of a test inside a private network namespace.
//
// The child process unshares its network namespace, so whatever it sets up
// (interfaces, neighbour entries, sysctls) cannot touch the host, and the
// kernel removes all of it when the child exits — even if it is killed.
#pragma once

#include <functional>
#include <string>

namespace sockkit::test {

/// Result of a function run in a private network namespace.
struct NetnsRun {
  bool ran = false;    ///< False: the namespace could not be created (see `why`).
  std::string why;     ///< Why it did not run.
  int exit_code = -1;  ///< What `body` returned.
  std::string report;  ///< What `body` wrote to its report (free text for assertions).
};

/// Forks; the child unshares its network namespace, brings `lo` up, runs
/// `body(report)` and exits with its return value. Bounded by `timeout_s`.
/// Needs CAP_NET_ADMIN (root); otherwise returns ran = false with the reason.
NetnsRun run_in_private_netns(const std::function<int(std::string& report)>& body,
                              int timeout_s = 30);

/// In a `body` run by run_in_private_netns: if `cond` is false, adds `text` to
/// the report and ends the body with exit code 1.
#define NETNS_CHECK(cond, text)           \
  do {                                    \
    if (!(cond)) {                        \
      report += std::string(text) + "\n"; \
      return 1;                           \
    }                                     \
  } while (0)

/// Runs a shell command (in whatever namespace the caller is in); true on exit 0.
bool shell(const std::string& command);

}  // namespace sockkit::test
