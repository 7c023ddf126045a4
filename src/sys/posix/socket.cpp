// SPDX-License-Identifier: MIT
// Socket lifecycle on Linux: open, bind, listen, accept, connect, shutdown, wait.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
using posix::last_error;
using posix::retry_eintr;

Status stack_ready() noexcept {
  return {};
}

Result<NativeHandle> open(Family family, SocketType type) noexcept {
  const int kind = (type == SocketType::stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC;
  const int fd = ::socket(posix::to_native(family), kind, 0);
  if (fd < 0) return last_error();
  return NativeHandle{fd};
}

Status close(NativeHandle h) noexcept {
  // Linux releases the descriptor even when close() is interrupted: never retry.
  if (::close(h.value) != 0 && errno != EINTR) return last_error();
  return {};
}

Status abort(NativeHandle h) noexcept {
  // SO_LINGER {on, 0}: close() discards unsent data and sends RST (Linux, any state).
  const ::linger hard{1, 0};
  (void)::setsockopt(h.value, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  return close(h);
}

Status set_nonblocking(NativeHandle h, bool on) noexcept {
  const int flags = ::fcntl(h.value, F_GETFL, 0);
  if (flags < 0) return last_error();
  const int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(h.value, F_SETFL, wanted) != 0) return last_error();
  return {};
}

Status bind(NativeHandle h, const Endpoint& at) noexcept {
  auto sa = posix::to_sockaddr(at);
  if (!sa) return sa.error();
  if (::bind(h.value, sa->get(), sa->length) != 0) return last_error();
  return {};
}

Status listen(NativeHandle h, int backlog) noexcept {
  if (::listen(h.value, backlog) != 0) return last_error();
  return {};
}

Status remove_socket_file(const Endpoint& at) noexcept {
  if (at.family() != Family::unix_domain || at.is_abstract() || at.unix_name().empty()) return {};
  const std::string path(at.unix_name());
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};  // nothing there
  if (!S_ISSOCK(st.st_mode)) return make_host_error(EEXIST);
  if (::unlink(path.c_str()) != 0) return last_error();
  return {};
}

Result<NativeHandle> accept(NativeHandle h, Endpoint* peer) noexcept {
  posix::SockAddr sa;
  sa.length = sizeof(sa.storage);
  const int fd =
      retry_eintr([&] { return ::accept4(h.value, sa.get(), &sa.length, SOCK_CLOEXEC); });
  if (fd < 0) return last_error();
  if (peer != nullptr) {
    auto ep = posix::from_sockaddr(sa.get(), sa.length);
    *peer = ep ? *ep : Endpoint{};
  }
  return NativeHandle{fd};
}

Status connect(NativeHandle h, const Endpoint& to) noexcept {
  auto sa = posix::to_sockaddr(to);
  if (!sa) return sa.error();
  if (::connect(h.value, sa->get(), sa->length) == 0) return {};
  if (errno != EINTR) return last_error();
  // An interrupted connect goes on in the background; calling connect() again
  // would fail with EALREADY. Wait for it to finish, then ask SO_ERROR.
  auto ready = wait(h, kWritable, -1);
  if (!ready) return ready.error();
  if (auto ec = take_pending_error(h)) return ec;
  return {};
}

Status shutdown(NativeHandle h, Shutdown how) noexcept {
  const int native = how == Shutdown::read ? SHUT_RD : how == Shutdown::write ? SHUT_WR : SHUT_RDWR;
  if (::shutdown(h.value, native) != 0) return last_error();
  return {};
}

Result<Endpoint> local_endpoint(NativeHandle h) noexcept {
  posix::SockAddr sa;
  sa.length = sizeof(sa.storage);
  if (::getsockname(h.value, sa.get(), &sa.length) != 0) return last_error();
  return posix::from_sockaddr(sa.get(), sa.length);
}

Result<Endpoint> peer_endpoint(NativeHandle h) noexcept {
  posix::SockAddr sa;
  sa.length = sizeof(sa.storage);
  if (::getpeername(h.value, sa.get(), &sa.length) != 0) return last_error();
  return posix::from_sockaddr(sa.get(), sa.length);
}

Result<unsigned> wait(NativeHandle h, unsigned events, int timeout_ms) noexcept {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd p{};
  p.fd = h.value;
  p.events = static_cast<short>(((events & kReadable) ? POLLIN : 0) |
                                ((events & kWritable) ? POLLOUT : 0));
  for (;;) {
    int remaining = timeout_ms;
    if (timeout_ms > 0) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      remaining = left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
    const int n = ::poll(&p, 1, remaining);
    if (n < 0 && errno == EINTR) continue;  // a signal does not shorten the wait
    if (n < 0) return last_error();
    if (n == 0) return 0u;
    if (p.revents & POLLNVAL) return make_host_error(EBADF);
    unsigned out = 0;
    if (p.revents & POLLIN) out |= kReadable;
    if (p.revents & POLLOUT) out |= kWritable;
    if (p.revents & POLLERR) out |= kError;
    if (p.revents & POLLHUP) out |= kHangup;
    return out;
  }
}

}  // namespace sockkit::sys
