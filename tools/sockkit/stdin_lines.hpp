// SPDX-License-Identifier: MIT
// Lines of stdin, read on the event loop: what `sockkit mqtt pub -l` publishes.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "sockkit/sockkit.hpp"

namespace sockkit::cli {

/// `pub -l`: stdin read as the loop runs, each non-empty line published as it
/// comes (mosquitto_pub skips empty lines: with -r an empty retained message
/// would delete the broker's), and read only while fewer than kWindow lines
/// are unpublished, so an endless stream takes bounded memory.
class StdinLines final : IoHandler {
 public:
  static constexpr std::size_t kWindow = 1024;
  static constexpr std::size_t kMaxLine = 256 << 10;

  StdinLines(EventLoop& loop, std::function<Status(std::string_view)> publish)
      : loop_(loop), publish_(std::move(publish)) {}
  ~StdinLines() { pause(); }
  StdinLines(const StdinLines&) = delete;
  StdinLines& operator=(const StdinLines&) = delete;

  /// Starts reading: watched where stdin can be (a pipe, a terminal), read
  /// each iteration where it cannot (a regular file is always ready).
  void start() {
    struct stat st {};
    polled_ = ::fstat(0, &st) == 0 && !S_ISREG(st.st_mode);
    if (polled_) ::fcntl(0, F_SETFL, ::fcntl(0, F_GETFL) | O_NONBLOCK);
    resume();
  }
  /// The caller's count of unpublished lines changed: publish what is read, read more.
  void room(std::size_t unpublished) {
    unpublished_ = unpublished;
    if (error_ || !emit_lines()) return;
    if (!closed_ && unpublished_ < kWindow) resume();
  }
  /// Stdin has ended and every line has been handed over.
  bool done() const noexcept { return closed_ && pending_.empty(); }
  std::error_code error() const noexcept { return error_; }

 private:
  void on_io(unsigned) noexcept override { read_some(); }

  void resume() {
    if (reading_) return;
    reading_ = true;
    if (polled_ && loop_.watch(NativeHandle{0}, io::readable, this)) return;
    polled_ = false;
    soon_ = loop_.soon([this] {
      soon_ = 0;
      read_some();
    });
  }
  void pause() {
    if (!reading_) return;
    reading_ = false;
    if (soon_ != 0) loop_.cancel_soon(soon_);
    soon_ = 0;
    if (polled_) (void)loop_.unwatch(NativeHandle{0});
  }

  void read_some() {
    char chunk[16384];
    const ssize_t n = ::read(0, chunk, sizeof chunk);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      if (n < 0) error_ = {errno, std::system_category()};
      closed_ = true;
      pending_.push_back('\n');  // a last line without its newline is a line too
      pause();
      (void)emit_lines();
      return;
    }
    pending_.append(chunk, static_cast<std::size_t>(n));
    if (!emit_lines()) return;
    if (pending_.size() > kMaxLine) {
      error_ = make_error_code(failure::frame_too_large);
      return pause();
    }
    if (unpublished_ >= kWindow) return pause();  // acknowledgements first
    if (!polled_) {
      reading_ = false;
      resume();
    }
  }
  /// Publishes the complete lines read, as far as the window allows. False on an error.
  bool emit_lines() {
    std::size_t start = 0;
    for (std::size_t nl;
         unpublished_ < kWindow && (nl = pending_.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      std::string_view line = std::string_view(pending_).substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      if (auto st = publish_(line); !st) {
        error_ = st.error();
        pause();
        return false;
      }
      ++unpublished_;
    }
    pending_.erase(0, start);
    if (closed_ && pending_.find('\n') == std::string::npos) pending_.clear();
    return true;
  }

  EventLoop& loop_;
  std::function<Status(std::string_view)> publish_;
  std::string pending_;
  std::size_t unpublished_ = 0;
  SoonId soon_ = 0;
  bool polled_ = false, reading_ = false, closed_ = false;
  std::error_code error_;
};

}  // namespace sockkit::cli
