// SPDX-License-Identifier: MIT
// select() backend: portable to every stack through sys::select. It refuses a
// descriptor at or past the stack's FD_SETSIZE instead of writing past an fd_set.
#include <algorithm>
#include <new>
#include <vector>

#include "poll/poller.hpp"

namespace sockkit::poll {
namespace {

class SelectPoller final : public Poller {
 public:
  explicit SelectPoller(int limit)
      : limit_(limit),
        words_(static_cast<std::size_t>((limit + 63) / 64)),
        read_(words_),
        write_(words_),
        registered_(words_),
        ready_read_(words_),
        ready_write_(words_) {}

  Backend backend() const noexcept override { return Backend::select; }
  int descriptor_limit() const noexcept override { return limit_; }

  Status add(NativeHandle h, unsigned interest) noexcept override {
    if (!h.valid()) return failure::closed_socket;
    if (h.value >= limit_) return failure::limit_reached;  // fd_set cannot hold it
    if (test(registered_, h.value)) return make_error(std::errc::file_exists);
    set(registered_, h.value, true);
    max_fd_ = std::max(max_fd_, h.value);
    return modify(h, interest);
  }

  Status modify(NativeHandle h, unsigned interest) noexcept override {
    if (!h.valid() || h.value >= limit_ || !test(registered_, h.value))
      return make_error(std::errc::no_such_file_or_directory);
    set(read_, h.value, interest & sys::kReadable);
    set(write_, h.value, interest & sys::kWritable);
    return {};
  }

  Status remove(NativeHandle h) noexcept override {
    if (!h.valid() || h.value >= limit_ || !test(registered_, h.value))
      return make_error(std::errc::no_such_file_or_directory);
    set(registered_, h.value, false);
    set(read_, h.value, false);
    set(write_, h.value, false);
    while (max_fd_ >= 0 && !test(registered_, max_fd_))
      --max_fd_;
    return {};
  }

  Result<std::size_t> wait(std::span<Ready> out, int timeout_ms) noexcept override {
    const int nfds = max_fd_ + 1;
    const std::size_t used = static_cast<std::size_t>((nfds + 63) / 64);
    std::copy_n(read_.begin(), used, ready_read_.begin());
    std::copy_n(write_.begin(), used, ready_write_.begin());
    auto n = sys::select(nfds, ready_read_.data(), ready_write_.data(), timeout_ms);
    if (!n) return n.error();
    std::size_t count = 0;
    // Start where the last full batch stopped, so a busy low descriptor cannot starve others.
    int last = -1;
    for (int i = 0; i < nfds && count < out.size() && *n > 0; ++i) {
      const int fd = (i + next_start_) % nfds;
      const unsigned events = (test(ready_read_, fd) ? sys::kReadable : 0u) |
                              (test(ready_write_, fd) ? sys::kWritable : 0u);
      if (events != 0) {
        out[count++] = {NativeHandle{fd}, events};
        last = fd;
      }
    }
    // A full batch: the next wait starts just after the last descriptor reported.
    next_start_ = count == out.size() && nfds > 0 ? (last + 1) % nfds : 0;
    return count;
  }

 private:
  static bool test(const std::vector<std::uint64_t>& bits, int fd) noexcept {
    return bits[static_cast<std::size_t>(fd / 64)] >> (fd % 64) & 1u;
  }
  static void set(std::vector<std::uint64_t>& bits, int fd, bool on) noexcept {
    const std::uint64_t mask = std::uint64_t{1} << (fd % 64);
    auto& word = bits[static_cast<std::size_t>(fd / 64)];
    word = on ? (word | mask) : (word & ~mask);
  }

  int limit_;
  std::size_t words_;
  std::vector<std::uint64_t> read_, write_, registered_, ready_read_, ready_write_;
  int max_fd_ = -1;
  int next_start_ = 0;
};

}  // namespace

Result<PollerPtr> make_select() noexcept {
  PollerPtr p(new (std::nothrow) SelectPoller(sys::select_limit()));
  if (!p) return make_error(std::errc::not_enough_memory);
  return p;
}

}  // namespace sockkit::poll
