// SPDX-License-Identifier: MIT
// Runs a shell snippet of the tutorial with the freshly built `sockkit` first
// on PATH, bounded in time; returns its exit status (-1 if it did not exit).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sockkit::test {

inline int run_shell(const std::string& script) {
  const std::string dir = SOCKKIT_CLI_DIR;
  const std::string command = "PATH='" + dir + "':\"$PATH\" timeout 30 bash -e -c '" + [&] {
    std::string quoted;
    for (char c : script)
      quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted;
  }() + "'";
  const int raw = std::system(command.c_str());
  if (raw == -1 || !WIFEXITED(raw)) return -1;
  if (WEXITSTATUS(raw) != 0) std::fprintf(stderr, "snippet failed:\n%s\n", script.c_str());
  return WEXITSTATUS(raw);
}

}  // namespace sockkit::test
