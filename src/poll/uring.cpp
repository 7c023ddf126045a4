// io_uring backend (Linux, liburing): readiness through one-shot POLL_ADD
// requests, re-armed before each wait. A completed poll is re-armed only after
// the loop has handled it, so a descriptor that is still ready completes again
// at once: the same level-triggered contract as poll and epoll.
#include <liburing.h>
#include <poll.h>

#include <cerrno>
#include <new>
#include <vector>

#include "poll/poller.hpp"

namespace sockkit::poll {
namespace {

constexpr std::uint64_t kIgnore = ~std::uint64_t{0};  // user_data of POLL_REMOVE requests

class UringPoller final : public Poller {
 public:
  ~UringPoller() override {
    if (initialized_) io_uring_queue_exit(&ring_);
  }
  /// The kernel may refuse (old kernel, seccomp filter, kernel.io_uring_disabled).
  bool init(unsigned entries) noexcept {
    // A completion queue four times the submission queue: thousands of sockets
    // ready at once overflow it less often (the kernel keeps the overflow).
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = entries * 4;
    initialized_ = io_uring_queue_init_params(entries, &ring_, &params) == 0 ||
                   io_uring_queue_init(entries, &ring_, 0) == 0;
    return initialized_;
  }

  Backend backend() const noexcept override { return Backend::uring; }

  Status add(NativeHandle h, unsigned interest) noexcept override {
    if (!h.valid()) return failure::closed_socket;
    const auto fd = static_cast<std::size_t>(h.value);
    if (fd >= slots_.size()) slots_.resize(fd + 1);
    Slot& s = slots_[fd];
    if (s.registered) return std::make_error_code(std::errc::file_exists);
    s.registered = true;
    s.interest = static_cast<std::uint8_t>(interest);
    ++s.generation;
    rearm_.push_back(h.value);
    return {};
  }

  Status modify(NativeHandle h, unsigned interest) noexcept override {
    Slot* s = find(h);
    if (s == nullptr) return std::make_error_code(std::errc::no_such_file_or_directory);
    if (s->interest == interest) return {};
    if (auto st = cancel(h.value, *s); !st) return st;
    s->interest = static_cast<std::uint8_t>(interest);
    rearm_.push_back(h.value);
    return {};
  }

  Status remove(NativeHandle h) noexcept override {
    Slot* s = find(h);
    if (s == nullptr) return std::make_error_code(std::errc::no_such_file_or_directory);
    auto st = cancel(h.value, *s);
    s->registered = false;
    return st;
  }

  Result<std::size_t> wait(std::span<Ready> out, int timeout_ms) noexcept override {
    std::size_t armed = 0;
    for (; armed < rearm_.size(); ++armed) {
      const int fd = rearm_[armed];
      Slot& s = slots_[static_cast<std::size_t>(fd)];
      if (!s.registered || s.armed || s.interest == 0) continue;
      io_uring_sqe* sqe = next_sqe();
      if (sqe == nullptr) break;  // the rings are full: the rest is armed next time
      const unsigned mask = ((s.interest & sys::kReadable) ? POLLIN | POLLRDHUP : 0u) |
                            ((s.interest & sys::kWritable) ? POLLOUT : 0u);
      io_uring_prep_poll_add(sqe, fd, mask);
      io_uring_sqe_set_data64(sqe, user_data(fd, s.generation));
      s.armed = true;
    }
    rearm_.erase(rearm_.begin(), rearm_.begin() + static_cast<std::ptrdiff_t>(armed));
    if (!rearm_.empty()) timeout_ms = 0;  // do not sleep on what is not armed yet
    __kernel_timespec ts{timeout_ms / 1000, static_cast<long long>(timeout_ms % 1000) * 1000000};
    io_uring_cqe* cqe = nullptr;
    int rc =
        io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, timeout_ms < 0 ? nullptr : &ts, nullptr);
    // EBUSY / EAGAIN: the completion queue overflowed or the kernel is short of
    // memory for now. Reaping completions below is the cure, not ending the loop.
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN)
      return std::error_code(-rc, std::system_category());
    std::size_t count = 0;
    while (count < out.size() && io_uring_peek_cqe(&ring_, &cqe) == 0) {
      const std::uint64_t data = io_uring_cqe_get_data64(cqe);
      const int res = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
      if (data == kIgnore) continue;
      const int fd = static_cast<int>(data & 0xffffffffu);
      Slot& s = slots_[static_cast<std::size_t>(fd)];
      if (!s.registered || static_cast<std::uint32_t>(data >> 32) != s.generation) continue;
      s.armed = false;
      rearm_.push_back(fd);  // level-triggered: ask again after the loop handled it
      if (res == -ECANCELED) continue;
      const unsigned got = res < 0 ? POLLERR : static_cast<unsigned>(res);
      out[count++] = {NativeHandle{fd}, ((got & (POLLIN | POLLRDHUP)) ? sys::kReadable : 0u) |
                                            ((got & POLLOUT) ? sys::kWritable : 0u) |
                                            ((got & POLLERR) ? sys::kError : 0u) |
                                            ((got & POLLHUP) ? sys::kHangup : 0u) |
                                            ((got & POLLNVAL) ? sys::kInvalid : 0u)};
    }
    return count;
  }

 private:
  struct Slot {
    std::uint32_t generation = 0;  // bumps on every change: stale completions are dropped
    std::uint8_t interest = 0;
    bool registered = false;
    bool armed = false;
  };

  static std::uint64_t user_data(int fd, std::uint32_t generation) noexcept {
    return std::uint64_t{generation} << 32 | static_cast<std::uint32_t>(fd);
  }

  Slot* find(NativeHandle h) noexcept {
    const auto fd = static_cast<std::size_t>(h.value);
    if (!h.valid() || fd >= slots_.size() || !slots_[fd].registered) return nullptr;
    return &slots_[fd];
  }

  io_uring_sqe* next_sqe() noexcept {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr && io_uring_submit(&ring_) >= 0) sqe = io_uring_get_sqe(&ring_);
    return sqe;
  }

  // Withdraws an armed poll now (the descriptor may be closed right after).
  Status cancel(int fd, Slot& s) noexcept {
    const std::uint64_t old = user_data(fd, s.generation);
    ++s.generation;
    if (!s.armed) return {};
    s.armed = false;
    io_uring_sqe* sqe = next_sqe();
    if (sqe == nullptr) return std::make_error_code(std::errc::resource_unavailable_try_again);
    io_uring_prep_poll_remove(sqe, old);
    io_uring_sqe_set_data64(sqe, kIgnore);
    const int rc = io_uring_submit(&ring_);
    if (rc < 0) return std::error_code(-rc, std::system_category());
    return {};
  }

  io_uring ring_{};
  bool initialized_ = false;
  std::vector<Slot> slots_;
  std::vector<int> rearm_;
};

}  // namespace

Result<PollerPtr> make_uring() noexcept {
  std::unique_ptr<UringPoller> p(new (std::nothrow) UringPoller());
  if (!p) return std::make_error_code(std::errc::not_enough_memory);
  if (!p->init(1024)) return failure::backend_unavailable;
  return PollerPtr(std::move(p));
}

}  // namespace sockkit::poll
