// SPDX-License-Identifier: MIT
// io_uring backend (Linux, liburing).
//
// Readiness: one-shot POLL_ADD requests, re-armed only after the loop has
// handled a completion, so a descriptor that is still ready completes again at
// once — the same level-triggered contract as poll and epoll.
//
// I/O, for the connections and listeners that ask for it (receive_for,
// accept_for): a multishot receive into a ring of provided buffers (consumed
// incrementally where the kernel can: uring_buffers.hpp) and a multishot
// accept. One request per descriptor keeps delivering until it is
// cancelled, so a busy connection costs no system call per read and no re-arm.
// Completions queue per descriptor and the descriptor is reported readable
// until its queue is taken; what the socket's owner sees is still readiness.
// A descriptor holds at most a few buffers: past that its receive is cancelled
// (the kernel's socket buffer and TCP flow control take over, as with epoll),
// so one reader that never drains cannot starve the others of buffers.
//
// Requests are batched: everything prepared during an iteration is submitted
// by the wait's single io_uring_enter. A multishot request ended by the kernel
// (completion-queue overflow, buffers run out) is simply armed again.
#include <liburing.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <vector>

#include "poll/paged_table.hpp"
#include "poll/poller.hpp"
#include "poll/uring_buffers.hpp"
#include "poll/uring_queue.hpp"

namespace sockkit::poll {
namespace {

constexpr std::uint64_t kIgnore = ~std::uint64_t{0};  // user_data of cancellations
constexpr unsigned kMaxHeldBuffers = 4;               // receives per descriptor waiting to be read
constexpr unsigned kMaxHeldAccepts = 64;              // per listener
constexpr int kMaxDescriptor = 1 << 28;               // the descriptor shares user_data with a kind
constexpr std::uint16_t kMaxQueued = 0xffff;          // completions one descriptor holds at most
constexpr unsigned kInterest = sys::kReadable | sys::kWritable;
// IORING_CQE_F_BUF_MORE (Linux 6.12), which liburing 2.3 does not define: the
// kernel goes on filling the buffer this completion used.
constexpr unsigned kBufferMore = 1U << 4;

enum Kind : std::uint64_t { kPoll = 0, kReceive = 1, kAccept = 2 };
enum Mode { kReadiness, kReceiving, kAccepting };  // fits a 2-bit field

class UringPoller final : public Poller {
 public:
  ~UringPoller() override {
    if (!initialized_) return;
    io_uring_queue_exit(&ring_);  // cancels every request still in flight
    queues_.for_each_queued([](const UringCompletion& c) {
      if (c.holds_descriptor()) ::close(c.result);
    });
  }

  /// The kernel may refuse (old kernel, seccomp filter, kernel.io_uring_disabled).
  bool init(unsigned entries, bool incremental_buffers) noexcept {
    // A completion queue four times the submission queue: thousands of sockets
    // ready at once overflow it less often (the kernel keeps the overflow).
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
    params.cq_entries = entries * 4;
    initialized_ = io_uring_queue_init_params(entries, &ring_, &params) == 0;
    if (!initialized_) {
      params = {};
      params.flags = IORING_SETUP_CQSIZE;
      params.cq_entries = entries * 4;
      initialized_ = io_uring_queue_init_params(entries, &ring_, &params) == 0 ||
                     io_uring_queue_init(entries, &ring_, 0) == 0;
    }
    if (!initialized_) return false;
    // The ring's own descriptor is not registered: a registration belongs to
    // one thread, and a loop may be created on one thread and run on another.
    io_ = supports_multishot_io() && buffers_.provide(ring_, incremental_buffers);
    return true;
  }

  Backend backend() const noexcept override { return Backend::uring; }

  Status add(NativeHandle h, unsigned interest) noexcept override {
    if (!h.valid()) return failure::closed_socket;
    if (h.value >= kMaxDescriptor) return failure::limit_reached;
    Slot* slot = slots_.reserve(static_cast<std::size_t>(h.value));
    if (slot == nullptr) return make_error(std::errc::not_enough_memory);
    Slot& s = *slot;
    if (s.registered) return make_error(std::errc::file_exists);
    s.registered = true;
    s.mode = kReadiness;
    s.ended = false;
    s.interest = interest & kInterest;
    s.events = 0;
    rearm_.push_back(h.value);
    return {};
  }

  Status modify(NativeHandle h, unsigned interest) noexcept override {
    Slot* s = find(h);
    if (s == nullptr) return make_error(std::errc::no_such_file_or_directory);
    interest &= kInterest;
    if (s->interest == interest) return {};
    const unsigned old_mask = poll_mask(*s);
    s->interest = interest & kInterest;
    if (poll_mask(*s) != old_mask) {
      if (auto st = cancel_poll(h.value, *s); !st) return st;
    }
    if (s->mode != kReadiness) {
      if (!(interest & sys::kReadable)) {
        if (auto st = cancel_io(h.value, *s); !st) return st;
      } else if (!s->queue.empty()) {
        list(h.value, *s);  // what came before the pause is reported again
      }
    }
    rearm_.push_back(h.value);
    return {};
  }

  Status remove(NativeHandle h) noexcept override {
    Slot* s = find(h);
    if (s == nullptr) return make_error(std::errc::no_such_file_or_directory);
    auto st = cancel_poll(h.value, *s);
    // Completions still on their way are stale from here on: their buffers go
    // back to the ring and their accepted descriptors are closed when they come.
    if (s->io_armed) {
      if (auto cancelled = cancel_io(h.value, *s); !cancelled && st) st = cancelled;
      s->io_armed = s->io_cancelling = false;
      ++s->io_generation;
    }
    // A handler may close its connection from on_data and still look at the
    // bytes it was lent: their buffers go back to the ring only at the next
    // wait, so no receive that runs meanwhile (at the close's own system
    // call, say) can overwrite them.
    while (!s->queue.empty())
      pop(*s, true);
    s->registered = false;
    s->events = 0;
    // Submitted now: the descriptor is closed right after, and a request in
    // flight would keep its socket open.
    if (const int rc = io_uring_submit(&ring_); rc < 0 && st) st = make_host_error(-rc);
    return st;
  }

  bool receive_for(NativeHandle h) noexcept override { return start_io(h, kReceiving); }
  std::size_t receive_unit() const noexcept override { return io_ ? buffers_.buffer_size() : 0; }
  bool accept_for(NativeHandle h) noexcept override { return start_io(h, kAccepting); }

  Result<std::span<const std::byte>> received(NativeHandle h) noexcept override {
    Slot* s = find(h);
    if (s == nullptr || s->queue.empty()) return would_block();
    const UringCompletion& e = queues_.front(s->queue);
    if (e.result < 0) return make_host_error(-e.result);
    if (e.result == 0) return std::span<const std::byte>();
    // Receives that came one after another into one incremental buffer are
    // one span: one on_data, one send to echo them.
    return std::span<const std::byte>(buffers_.buffer(e.buffer) + e.offset,
                                      queues_.contiguous_bytes(s->queue));
  }

  void consume(NativeHandle h, std::size_t count) noexcept override {
    Slot* s = find(h);
    if (s == nullptr) return;
    while (!s->queue.empty() && count > 0) {
      UringCompletion& e = queues_.front(s->queue);
      if (e.result <= 0) break;  // the EOF or error stays to be seen again
      const auto size = static_cast<std::size_t>(e.result);
      if (count < size) {  // the rest of this completion is read next time
        e.offset += static_cast<std::uint32_t>(count);
        e.result -= static_cast<std::int32_t>(count);
        break;
      }
      count -= size;
      pop(*s);
    }
    if (!s->io_armed) rearm_.push_back(h.value);
  }

  Result<NativeHandle> accepted(NativeHandle h) noexcept override {
    Slot* s = find(h);
    if (s == nullptr || s->queue.empty()) return would_block();
    const UringCompletion c = queues_.pop(s->queue);  // the descriptor is the caller's now
    --s->held;
    if (!s->io_armed) rearm_.push_back(h.value);
    if (c.result < 0) return make_host_error(-c.result);
    return NativeHandle{c.result};
  }

  Result<std::size_t> wait(std::span<Ready> out, int timeout_ms) noexcept override {
    // Descriptors reported with data last time that still have some: again.
    for (const int fd : reported_) {
      Slot& s = slots_[static_cast<std::size_t>(fd)];
      if (s.registered && !s.queue.empty() && (s.interest & sys::kReadable)) list(fd, s);
    }
    reported_.clear();
    for (const std::uint16_t id : give_back_later_)
      give_back(id);
    give_back_later_.clear();
    const bool all_armed = arm();
    if (!all_armed || !listed_.empty()) timeout_ms = 0;  // nothing waiting may sleep
    __kernel_timespec ts{timeout_ms / 1000, static_cast<long long>(timeout_ms % 1000) * 1000000};
    io_uring_cqe* cqe = nullptr;
    const int rc =
        io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, timeout_ms < 0 ? nullptr : &ts, nullptr);
    // EBUSY / EAGAIN: the completion queue overflowed or the kernel is short of
    // memory for now. Reaping completions below is the cure, not ending the loop.
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN)
      return make_host_error(-rc);
    unsigned head = 0, seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      complete(*cqe);
      ++seen;
    }
    io_uring_cq_advance(&ring_, seen);
    return report(out);
  }

 private:
  // One per descriptor, 12 bytes: at 10,000 connections every byte counts.
  struct Slot {
    // Completions of a request withdrawn before it ended carry an older
    // generation and are dropped. Sixteen bits are plenty: a generation moves
    // on only when a request in flight is withdrawn, at most once per
    // iteration, and the withdrawn request's last completion comes within an
    // iteration or two.
    std::uint16_t poll_generation = 0;
    std::uint16_t io_generation = 0;
    UringQueues::Queue queue;  // completions not taken yet
    std::uint16_t held = 0;    // how many
    std::uint8_t interest : 2 = 0;
    std::uint8_t events : 4 = 0;  // readiness gathered for the next report
    Mode mode : 2 = kReadiness;
    bool registered : 1 = false;
    bool poll_armed : 1 = false;
    bool io_armed : 1 = false;  // a multishot request is in flight
    bool io_cancelling : 1 = false;
    bool ended : 1 = false;  // EOF or an error is queued: nothing comes after it
    bool listed : 1 = false;
  };
  static_assert(sizeof(Slot) <= 12);

  static ErrorCode would_block() noexcept {
    return make_error(std::errc::resource_unavailable_try_again);
  }
  static std::uint64_t user_data(Kind kind, int fd, std::uint16_t generation) noexcept {
    return std::uint64_t{generation} << 32 | kind << 28 | static_cast<std::uint32_t>(fd);
  }
  // What the poll part watches: everything, or only writability when the
  // backend does the descriptor's reading itself.
  static unsigned poll_mask(const Slot& s) noexcept {
    return s.mode == kReadiness ? s.interest : s.interest & sys::kWritable;
  }

  Slot* find(NativeHandle h) noexcept {
    if (!h.valid()) return nullptr;
    Slot* s = slots_.find(static_cast<std::size_t>(h.value));
    return s != nullptr && s->registered ? s : nullptr;
  }

  // Multishot receive came with the kernel that brought zero-copy send (6.0).
  bool supports_multishot_io() noexcept {
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    if (probe == nullptr) return false;
    const bool yes = io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
    io_uring_free_probe(probe);
    return yes;
  }

  void give_back(std::uint16_t id) noexcept {
    buffers_.give_back(id);
    if (!starved_.empty()) {  // receives that ran out of buffers can go on
      rearm_.insert(rearm_.end(), starved_.begin(), starved_.end());
      starved_.clear();
    }
  }

  bool start_io(NativeHandle h, Mode mode) noexcept {
    Slot* s = find(h);
    if (!io_ || s == nullptr || s->mode != kReadiness) return false;
    if (s->poll_armed) {
      if (!cancel_poll(h.value, *s)) return false;
    }
    s->mode = mode;
    rearm_.push_back(h.value);
    return true;
  }

  io_uring_sqe* next_sqe() noexcept {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr && io_uring_submit(&ring_) >= 0) sqe = io_uring_get_sqe(&ring_);
    return sqe;
  }

  // Arms what is due; false if the rings were full and some wait for next time.
  bool arm() noexcept {
    std::size_t done = 0;
    for (; done < rearm_.size(); ++done) {
      const int fd = rearm_[done];
      Slot& s = slots_[static_cast<std::size_t>(fd)];
      if (!s.registered) continue;
      if (!s.poll_armed && poll_mask(s) != 0 && !arm_poll(fd, s)) break;
      if (!s.io_armed && s.mode != kReadiness && !arm_io(fd, s)) break;
    }
    rearm_.erase(rearm_.begin(), rearm_.begin() + static_cast<std::ptrdiff_t>(done));
    return rearm_.empty();
  }

  bool arm_poll(int fd, Slot& s) noexcept {
    io_uring_sqe* sqe = next_sqe();
    if (sqe == nullptr) return false;
    const unsigned interest = poll_mask(s);
    io_uring_prep_poll_add(sqe, fd,
                           ((interest & sys::kReadable) ? POLLIN | POLLRDHUP : 0u) |
                               ((interest & sys::kWritable) ? POLLOUT : 0u));
    io_uring_sqe_set_data64(sqe, user_data(kPoll, fd, s.poll_generation));
    s.poll_armed = true;
    return true;
  }

  bool arm_io(int fd, Slot& s) noexcept {
    if (s.ended || !(s.interest & sys::kReadable)) return true;
    if (s.held >= (s.mode == kReceiving ? kMaxHeldBuffers : kMaxHeldAccepts)) return true;
    if (s.mode == kReceiving && buffers_.available() == 0) {
      starved_.push_back(fd);  // armed again when a buffer comes back
      return true;
    }
    io_uring_sqe* sqe = next_sqe();
    if (sqe == nullptr) return false;
    if (s.mode == kReceiving) {
      io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
      sqe->flags |= IOSQE_BUFFER_SELECT;
      sqe->buf_group = UringBuffers::kGroup;
      io_uring_sqe_set_data64(sqe, user_data(kReceive, fd, s.io_generation));
    } else {
      io_uring_prep_multishot_accept(sqe, fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      io_uring_sqe_set_data64(sqe, user_data(kAccept, fd, s.io_generation));
    }
    s.io_armed = true;
    return true;
  }

  Status submit_cancel(std::uint64_t data, bool is_poll) noexcept {
    io_uring_sqe* sqe = next_sqe();
    if (sqe == nullptr) return would_block();
    if (is_poll) {
      io_uring_prep_poll_remove(sqe, data);
    } else {
      io_uring_prep_cancel64(sqe, data, 0);
    }
    io_uring_sqe_set_data64(sqe, kIgnore);
    return {};
  }

  // Withdraws an armed poll: its completions become stale at once. The
  // cancellation goes with the next submission (remove() submits at once).
  Status cancel_poll(int fd, Slot& s) noexcept {
    if (!s.poll_armed) return {};
    const std::uint64_t old = user_data(kPoll, fd, s.poll_generation);
    ++s.poll_generation;
    s.poll_armed = false;
    return submit_cancel(old, true);
  }

  // Asks a multishot request to end. What it delivers meanwhile is still
  // queued; its last completion (without IORING_CQE_F_MORE) clears io_armed.
  Status cancel_io(int fd, Slot& s) noexcept {
    if (!s.io_armed || s.io_cancelling) return {};
    s.io_cancelling = true;
    return submit_cancel(user_data(s.mode == kAccepting ? kAccept : kReceive, fd, s.io_generation),
                         false);
  }

  void complete(const io_uring_cqe& cqe) noexcept {
    const std::uint64_t data = io_uring_cqe_get_data64(&cqe);
    if (data == kIgnore) return;
    const int fd = static_cast<int>(data & (kMaxDescriptor - 1));
    const auto kind = static_cast<Kind>((data >> 28) & 3);
    const auto generation = static_cast<std::uint16_t>(data >> 32);
    bool has_buffer = cqe.flags & IORING_CQE_F_BUFFER;
    const auto id = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    std::uint32_t offset = 0;
    Slot& s = slots_[static_cast<std::size_t>(fd)];
    if (kind == kPoll) {
      if (!s.registered || generation != s.poll_generation) return;
      s.poll_armed = false;
      rearm_.push_back(fd);  // level-triggered: ask again after the loop handled it
      if (cqe.res == -ECANCELED) return;
      const unsigned got = cqe.res < 0 ? POLLERR : static_cast<unsigned>(cqe.res);
      s.events |= ((got & (POLLIN | POLLRDHUP)) ? sys::kReadable : 0u) |
                  ((got & POLLOUT) ? sys::kWritable : 0u) |
                  ((got & (POLLERR | POLLNVAL)) ? sys::kError : 0u) |  // invalid: an error to read
                  ((got & POLLHUP) ? sys::kHangup : 0u);
      list(fd, s);
      return;
    }
    if (has_buffer) {
      const auto bytes = static_cast<std::uint32_t>(cqe.res > 0 ? cqe.res : 0);
      offset = buffers_.filled(id, bytes, cqe.flags & kBufferMore);
      if (bytes == 0) {  // nothing in it to read
        give_back(id);
        has_buffer = false;
      }
    }
    if (!s.registered || generation != s.io_generation) {  // its descriptor is gone
      if (has_buffer) give_back(id);
      if (kind == kAccept && cqe.res >= 0) ::close(cqe.res);
      return;
    }
    const bool last = !(cqe.flags & IORING_CQE_F_MORE);
    if (last) {
      s.io_armed = s.io_cancelling = false;
      rearm_.push_back(fd);
    }
    const Mode mode = kind == kAccept ? kAccepting : kReceiving;
    if (cqe.res == -ECANCELED || cqe.res == -ENOBUFS) return;  // armed again if still wanted
    int result = cqe.res;
    if (mode == kReceiving && result > 0 && !has_buffer) result = -EIO;  // never seen
    if (result <= 0 && mode == kReceiving) s.ended = true;
    const UringCompletion c{result, offset, has_buffer ? id : std::uint16_t{0}, mode == kAccepting};
    // Out of memory, or more accepted than anyone takes: the connection sees
    // an error, the accepted descriptor is closed (as a full backlog would).
    if (s.held == kMaxQueued || !queues_.push(s.queue, c)) {
      if (has_buffer) give_back(id);
      if (c.holds_descriptor()) ::close(c.result);
      if (mode == kReceiving) s.ended = true;
    } else {
      ++s.held;
    }
    const unsigned limit = mode == kReceiving ? kMaxHeldBuffers : kMaxHeldAccepts;
    // Enough is held, or the reader paused: let the socket hold the rest. A
    // request still delivering after an earlier cancellation (which can miss
    // a request the kernel is busy with) is asked again.
    if (s.io_armed && (s.held >= limit || !(s.interest & sys::kReadable))) {
      s.io_cancelling = false;
      (void)cancel_io(fd, s);
    }
    list(fd, s);
  }

  // Takes the oldest completion off `s`'s queue: its buffer goes back to the
  // ring (`later`: at the next wait), its accepted descriptor, never taken, is
  // closed.
  void pop(Slot& s, bool later = false) noexcept {
    const UringCompletion c = queues_.pop(s.queue);
    --s.held;
    if (c.holds_buffer()) {
      if (later) {
        give_back_later_.push_back(c.buffer);
      } else {
        give_back(c.buffer);
      }
    }
    if (c.holds_descriptor()) ::close(c.result);
  }

  void list(int fd, Slot& s) noexcept {
    if (s.listed) return;
    s.listed = true;
    listed_.push_back(fd);
  }

  std::size_t report(std::span<Ready> out) noexcept {
    std::size_t count = 0, done = 0;
    for (; done < listed_.size() && count < out.size(); ++done) {
      const int fd = listed_[done];
      Slot& s = slots_[static_cast<std::size_t>(fd)];
      s.listed = false;
      if (!s.registered) continue;
      unsigned events = s.events;
      s.events = 0;
      if (!s.queue.empty() && (s.interest & sys::kReadable)) {
        events |= sys::kReadable;
        reported_.push_back(fd);
      }
      if (events != 0) out[count++] = {NativeHandle{fd}, events};
    }
    listed_.erase(listed_.begin(), listed_.begin() + static_cast<std::ptrdiff_t>(done));
    return count;
  }

  io_uring ring_{};
  bool initialized_ = false;
  bool io_ = false;         // multishot receive and accept with provided buffers work here
  UringBuffers buffers_;    // unmapped after the destructor has closed the ring
  PagedTable<Slot> slots_;  // by descriptor, in pages that never move
  UringQueues queues_;
  std::vector<int> rearm_;                      // descriptors with a request to (re)submit
  std::vector<int> listed_;                     // descriptors with something to report
  std::vector<int> reported_;                   // reported with data: looked at again next wait
  std::vector<int> starved_;                    // receives waiting for a free buffer
  std::vector<std::uint16_t> give_back_later_;  // buffers of removed descriptors
};

}  // namespace

Result<PollerPtr> make_uring(bool incremental_buffers) noexcept {
  std::unique_ptr<UringPoller> p(new (std::nothrow) UringPoller());
  if (!p) return make_error(std::errc::not_enough_memory);
  if (!p->init(1024, incremental_buffers)) return failure::backend_unavailable;
  return PollerPtr(std::move(p));
}

}  // namespace sockkit::poll
