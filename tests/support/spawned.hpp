// SPDX-License-Identifier: MIT
// A program the tests run in the background (a broker's client, a WebSocket
// server, a proxy), its output in a file, ended by PID.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace sockkit::test {

/// A command run in the background with its output in a file, ended by PID.
class Spawned {
 public:
  explicit Spawned(const std::string& command) {
    char path[] = "/tmp/sockkit-spawned-XXXXXX";
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
  /// Stops the program (SIGSTOP) for `pause`, as a loaded machine may, then
  /// lets it go on.
  void stall(std::chrono::milliseconds pause) const {
    if (pid_ <= 0) return;
    kill(pid_, SIGSTOP);
    std::this_thread::sleep_for(pause);
    kill(pid_, SIGCONT);
  }
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

}  // namespace sockkit::test
