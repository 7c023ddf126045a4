// SPDX-License-Identifier: MIT
// select() and poll() on lwIP (the loop's waker is in waker.cpp).
#include <algorithm>
#include <cstddef>

#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using lwip::last_error;

// lwIP's sockets are numbered LWIP_SOCKET_OFFSET .. + MEMP_NUM_NETCONN - 1 and
// lwip_select refuses nfds past them, whatever FD_SETSIZE the host's headers set.
int select_limit() noexcept {
  return std::min(FD_SETSIZE, LWIP_SOCKET_OFFSET + MEMP_NUM_NETCONN);
}

Result<int> select(int nfds, std::uint64_t* read_bits, std::uint64_t* write_bits,
                   int timeout_ms) noexcept {
  if (nfds < 0 || nfds > select_limit()) return failure::limit_reached;  // never past an fd_set
  fd_set readable, writable;
  FD_ZERO(&readable);
  FD_ZERO(&writable);
  for (int fd = 0; fd < nfds; ++fd) {
    if (read_bits != nullptr && (read_bits[fd / 64] >> (fd % 64) & 1u)) FD_SET(fd, &readable);
    if (write_bits != nullptr && (write_bits[fd / 64] >> (fd % 64) & 1u)) FD_SET(fd, &writable);
  }
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  const int n = lwip_select(nfds, &readable, &writable, nullptr, timeout_ms < 0 ? nullptr : &tv);
  if (n < 0) return last_error();
  for (std::uint64_t* bits : {read_bits, write_bits})
    if (bits != nullptr) std::fill(bits, bits + (nfds + 63) / 64, 0);
  for (int fd = 0; fd < nfds; ++fd) {
    if (read_bits != nullptr && FD_ISSET(fd, &readable))
      read_bits[fd / 64] |= std::uint64_t{1} << (fd % 64);
    if (write_bits != nullptr && FD_ISSET(fd, &writable))
      write_bits[fd / 64] |= std::uint64_t{1} << (fd % 64);
  }
  return n;
}

static_assert(sizeof(PollEntry) == sizeof(pollfd));
static_assert(offsetof(PollEntry, events) == offsetof(pollfd, events));
static_assert(offsetof(PollEntry, revents) == offsetof(pollfd, revents));

namespace {
int native_events(unsigned portable) noexcept {
  return ((portable & kReadable) ? POLLIN : 0) | ((portable & kWritable) ? POLLOUT : 0);
}
std::uint16_t portable_events(int native) noexcept {
  return static_cast<std::uint16_t>(
      ((native & POLLIN) ? kReadable : 0) | ((native & POLLOUT) ? kWritable : 0) |
      ((native & POLLERR) ? kError : 0) | ((native & POLLNVAL) ? kInvalid : 0));
}
}  // namespace

Result<int> poll(std::span<PollEntry> entries, int timeout_ms) noexcept {
  for (auto& e : entries) {
    e.events = static_cast<std::uint16_t>(native_events(e.events));
    e.revents = 0;
  }
  // lwip_poll wants a null array when there are no entries (Linux accepts any).
  auto* native = entries.empty() ? nullptr : reinterpret_cast<pollfd*>(entries.data());
  int n = lwip_poll(native, static_cast<nfds_t>(entries.size()), timeout_ms);
  const int saved = errno;
  int invalid = 0;
  if (n < 0 && saved == EBADF) {
    // lwIP fails the whole call for one stale descriptor (Linux marks it
    // POLLNVAL and goes on): find it and report it the Linux way.
    for (auto& e : entries) {
      pollfd one{e.handle.value, static_cast<short>(e.events), 0};
      if (lwip_poll(&one, 1, 0) < 0) {
        reinterpret_cast<pollfd&>(e).revents = POLLNVAL;
        ++invalid;
      }
    }
    n = invalid;
  }
  for (auto& e : entries) {
    const int asked = e.events, got = reinterpret_cast<pollfd&>(e).revents;
    e.events = portable_events(asked);
    e.revents = portable_events(got);
  }
  if (n < 0) return lwip::error(saved);
  return n;
}

}  // namespace sockkit::sys
