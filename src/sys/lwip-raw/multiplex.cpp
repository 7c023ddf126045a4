// SPDX-License-Identifier: MIT
// select() and poll() on the bare-metal stack: each look runs the stack once
// (frames in, loopback, lwIP's timeouts) and reads the sockets' state; between
// looks the call sleeps until something happens or the next deadline.
#include <algorithm>

#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {

int select_limit() noexcept {
  return raw::table_size();
}

namespace {

// Runs the stack and looks, then sleeps and looks again, until `look` finds
// something or `timeout_ms` passes (< 0: for ever). Returns look's last answer.
template <class Look>
int run_until_ready(int timeout_ms, Look look) noexcept {
  raw::StackGuard guard;
  const std::uint32_t start = raw::now_ms();
  for (;;) {
    const std::uint32_t seen = raw::activity_mark();
    raw::pump();
    if (const int n = look(); n > 0) return n;
    int left = -1;
    if (timeout_ms >= 0) {
      const auto spent = static_cast<int>(raw::now_ms() - start);
      if (spent >= timeout_ms) return 0;
      left = timeout_ms - spent;
    }
    raw::wait_for_activity(guard, left, seen);
  }
}

}  // namespace

Result<int> select(int nfds, std::uint64_t* read_bits, std::uint64_t* write_bits,
                   int timeout_ms) noexcept {
  if (nfds < 0 || nfds > select_limit()) return failure::limit_reached;
  const int words = (nfds + 63) / 64;
  std::vector<std::uint64_t> want_read(read_bits ? read_bits : nullptr,
                                       read_bits ? read_bits + words : nullptr);
  std::vector<std::uint64_t> want_write(write_bits ? write_bits : nullptr,
                                        write_bits ? write_bits + words : nullptr);
  for (int fd = 0; fd < nfds; ++fd) {
    const bool asked = (read_bits && (want_read[fd / 64] >> (fd % 64) & 1u)) ||
                       (write_bits && (want_write[fd / 64] >> (fd % 64) & 1u));
    if (asked && raw::find(fd) == nullptr) return raw::error(EBADF);
  }
  const int n = run_until_ready(timeout_ms, [&] {
    int ready = 0;
    for (std::uint64_t* bits : {read_bits, write_bits})
      if (bits != nullptr) std::fill(bits, bits + words, 0);
    for (int fd = 0; fd < nfds; ++fd) {
      const std::uint64_t bit = std::uint64_t{1} << (fd % 64);
      const raw::Socket* s = raw::find(fd);
      if (s == nullptr) continue;
      const unsigned r = raw::readiness(*s);
      const unsigned readable = kReadable | kError | kHangup, writable = kWritable | kError;
      if (read_bits && (want_read[fd / 64] & bit) && (r & readable)) {
        read_bits[fd / 64] |= bit;
        ++ready;
      }
      if (write_bits && (want_write[fd / 64] & bit) && (r & writable)) {
        write_bits[fd / 64] |= bit;
        ++ready;
      }
    }
    return ready;
  });
  return n;
}

Result<int> poll(std::span<PollEntry> entries, int timeout_ms) noexcept {
  return run_until_ready(timeout_ms, [&] {
    int ready = 0;
    for (auto& e : entries) {
      const raw::Socket* s = raw::find(e.handle.value);
      // Errors and hang-ups are reported whether asked for or not, as poll(2) does.
      const unsigned r = s == nullptr ? kInvalid : raw::readiness(*s);
      e.revents = static_cast<std::uint16_t>(r & (e.events | kError | kHangup | kInvalid));
      if (e.revents != 0) ++ready;
    }
    return ready;
  });
}

}  // namespace sockkit::sys
