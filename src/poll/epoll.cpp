// SPDX-License-Identifier: MIT
// epoll backend (Linux), level- or edge-triggered. In edge mode a descriptor is
// reported once per change; the loop above must read and write until EAGAIN.
#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <new>

#include "poll/poller.hpp"

namespace sockkit::poll {
namespace {

class EpollPoller final : public Poller {
 public:
  EpollPoller(int epfd, bool edge) : epfd_(epfd), edge_(edge) {}
  ~EpollPoller() override { ::close(epfd_); }

  Backend backend() const noexcept override { return edge_ ? Backend::epoll_edge : Backend::epoll; }

  Status add(NativeHandle h, unsigned interest) noexcept override {
    return control(EPOLL_CTL_ADD, h, interest);
  }
  Status modify(NativeHandle h, unsigned interest) noexcept override {
    return control(EPOLL_CTL_MOD, h, interest);
  }
  Status remove(NativeHandle h) noexcept override { return control(EPOLL_CTL_DEL, h, 0); }

  // Built without loop vectorisation (src/CMakeLists.txt): one or two events a call.
  Result<std::size_t> wait(std::span<Ready> out, int timeout_ms) noexcept override {
    const int max = static_cast<int>(std::min(out.size(), events_.size()));
    const int n = ::epoll_wait(epfd_, events_.data(), max, timeout_ms);
    if (n <= 0) [[unlikely]] {
      if (n == 0 || errno == EINTR) return std::size_t{0};
      return make_host_error(errno);
    }
    Ready* to = out.data();
    for (const epoll_event *e = events_.data(), *end = e + n; e != end; ++e, ++to)
      *to = {NativeHandle{e->data.fd}, readiness(e->events)};
    return static_cast<std::size_t>(n);
  }

 private:
  static unsigned readiness(std::uint32_t e) noexcept {
    return ((e & EPOLLIN) ? sys::kReadable : 0u) | ((e & EPOLLOUT) ? sys::kWritable : 0u) |
           ((e & EPOLLERR) ? sys::kError : 0u) | ((e & EPOLLHUP) ? sys::kHangup : 0u);
  }
  Status control(int op, NativeHandle h, unsigned interest) noexcept {
    epoll_event ev{};
    ev.events = ((interest & sys::kReadable) ? EPOLLIN | EPOLLRDHUP : 0u) |
                ((interest & sys::kWritable) ? EPOLLOUT : 0u) | (edge_ ? EPOLLET : 0u);
    ev.data.fd = h.value;
    if (::epoll_ctl(epfd_, op, h.value, &ev) != 0) return make_host_error(errno);
    return {};
  }

  int epfd_;
  bool edge_;
  std::array<epoll_event, 256> events_{};
};

}  // namespace

Result<PollerPtr> make_epoll(bool edge_triggered) noexcept {
  const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return make_host_error(errno);
  PollerPtr p(new (std::nothrow) EpollPoller(epfd, edge_triggered));
  if (!p) {
    ::close(epfd);
    return make_error(std::errc::not_enough_memory);
  }
  return p;
}

}  // namespace sockkit::poll
