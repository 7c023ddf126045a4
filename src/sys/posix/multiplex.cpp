// SPDX-License-Identifier: MIT
// select(), poll() and the eventfd waker on Linux, in the sys seam's portable terms.
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>

#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using posix::last_error;

int select_limit() noexcept {
  return FD_SETSIZE;
}

namespace {
void to_fd_set(const std::uint64_t* bits, int nfds, fd_set& out) noexcept {
  FD_ZERO(&out);
  if (bits == nullptr) return;
  for (int fd = 0; fd < nfds; ++fd)
    if (bits[fd / 64] >> (fd % 64) & 1u) FD_SET(fd, &out);
}
void from_fd_set(const fd_set& in, int nfds, std::uint64_t* bits) noexcept {
  if (bits == nullptr) return;
  std::fill(bits, bits + (nfds + 63) / 64, 0);
  for (int fd = 0; fd < nfds; ++fd)
    if (FD_ISSET(fd, &in)) bits[fd / 64] |= std::uint64_t{1} << (fd % 64);
}
}  // namespace

Result<int> select(int nfds, std::uint64_t* read_bits, std::uint64_t* write_bits,
                   int timeout_ms) noexcept {
  if (nfds < 0 || nfds > FD_SETSIZE) return failure::limit_reached;  // never past an fd_set
  fd_set readable;
  fd_set writable;
  to_fd_set(read_bits, nfds, readable);
  to_fd_set(write_bits, nfds, writable);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  const int n = ::select(nfds, &readable, &writable, nullptr, timeout_ms < 0 ? nullptr : &tv);
  if (n < 0) {
    if (errno == EINTR) {  // the loop comes back; report "nothing ready"
      from_fd_set(fd_set{}, nfds, read_bits);
      from_fd_set(fd_set{}, nfds, write_bits);
      return 0;
    }
    return last_error();
  }
  from_fd_set(readable, nfds, read_bits);
  from_fd_set(writable, nfds, write_bits);
  return n;
}

// PollEntry is laid out like struct pollfd, so the array is handed to the
// kernel in place; only the event bits are translated, both ways.
static_assert(sizeof(PollEntry) == sizeof(pollfd));
static_assert(offsetof(PollEntry, events) == offsetof(pollfd, events));
static_assert(offsetof(PollEntry, revents) == offsetof(pollfd, revents));

Result<int> poll(std::span<PollEntry> entries, int timeout_ms) noexcept {
  for (auto& e : entries) {
    e.events = static_cast<std::uint16_t>(((e.events & kReadable) ? POLLIN : 0) |
                                          ((e.events & kWritable) ? POLLOUT : 0));
    e.revents = 0;
  }
  auto* native = reinterpret_cast<pollfd*>(entries.data());
  const int n = ::poll(native, entries.size(), timeout_ms);
  const int saved = errno;
  for (auto& e : entries) {
    const unsigned asked = e.events, got = e.revents;
    e.events = static_cast<std::uint16_t>(((asked & POLLIN) ? kReadable : 0) |
                                          ((asked & POLLOUT) ? kWritable : 0));
    e.revents = static_cast<std::uint16_t>(
        ((got & POLLIN) ? kReadable : 0) | ((got & POLLOUT) ? kWritable : 0) |
        ((got & POLLERR) ? kError : 0) | ((got & POLLHUP) ? kHangup : 0) |
        ((got & POLLNVAL) ? kInvalid : 0));
  }
  if (n < 0) {
    if (saved == EINTR) return 0;
    return make_host_error(saved);
  }
  return n;
}

Result<Waker> open_waker() noexcept {
  const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return last_error();
  return Waker{NativeHandle{fd}, NativeHandle{fd}};
}

void wake(const Waker& waker) noexcept {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: a wake-up is pending anyway.
  (void)posix::retry_eintr([&] { return ::write(waker.write_end.value, &one, sizeof(one)); });
}

void drain(const Waker& waker) noexcept {
  std::uint64_t count = 0;
  (void)posix::retry_eintr([&] { return ::read(waker.read_end.value, &count, sizeof(count)); });
}

void close(Waker& waker) noexcept {
  if (waker.read_end.valid()) ::close(waker.read_end.value);
  if (waker.write_end.valid() && waker.write_end != waker.read_end) ::close(waker.write_end.value);
  waker = Waker{};
}

}  // namespace sockkit::sys
