// SPDX-License-Identifier: MIT
// The sockkit tool driven from a test as a user drives it from a shell: one
// run with its output and exit status, or a long-running command in the
// background whose "listening on ADDR" line gives its address.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace sockkit::test {

/// What a finished command printed and how it exited.
struct Run {
  int status = -1;
  std::string output;  // stdout and stderr together
};

/// Runs `program args` (stdout and stderr), with `input` on its stdin.
inline Run run_program(const std::string& program, const std::string& args,
                       const std::string& input = "") {
  std::string cmd = program + " " + args + " 2>&1";
  if (!input.empty()) cmd = "printf '" + input + "' | " + cmd;
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p) != nullptr)
    r.output += buf;
  const int raw = ::pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

/// Runs the sockkit tool.
inline Run run(const std::string& args, const std::string& input = "") {
  return run_program(SOCKKIT_CLI, args, input);
}

/// Starts a long-running subcommand and reads its "listening on ADDR" line.
struct Background {
  FILE* pipe = nullptr;
  std::string address;
  int pid = 0;  // the server's, from its "listening on" line
  /// Starts `program` (the sockkit tool unless named) with `args`, bounded to 20 s.
  explicit Background(const std::string& args, const char* program = SOCKKIT_CLI) {
    pipe = ::popen((std::string("timeout 20 ") + program + " " + args).c_str(), "r");
    char line[256] = {};
    if (pipe != nullptr && std::fgets(line, sizeof(line), pipe) != nullptr) {
      std::string s(line);
      const std::string prefix = "listening on ";
      if (s.rfind(prefix, 0) == 0) {
        address = s.substr(prefix.size());
        address = address.substr(0, address.find_first_of(" \n"));  // "ADDR (backend x, pid n)"
        if (const auto at = s.find("pid "); at != std::string::npos)
          pid = std::atoi(s.c_str() + at + 4);
      }
    }
  }
  std::string rest() {
    std::string out;
    char buf[512];
    while (pipe != nullptr && std::fgets(buf, sizeof(buf), pipe) != nullptr)
      out += buf;
    return out;
  }
  int wait() {
    const int raw = pipe ? ::pclose(pipe) : -1;
    pipe = nullptr;
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  }
  ~Background() {
    if (pipe != nullptr) ::pclose(pipe);
  }
};

}  // namespace sockkit::test
