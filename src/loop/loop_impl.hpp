// SPDX-License-Identifier: MIT
// The event loop's state, shared by its files: event_loop.cpp (iterations,
// watching, posted and deferred work) and timers.cpp (timers and Timer).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <climits>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "deadline.hpp"
#include "loop/handler_table.hpp"
#include "loop/loop_access.hpp"
#include "loop/timer_heap.hpp"
#include "poll/poller.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/function.hpp"
#include "sys/sys.hpp"

// The loop's cross-thread wake (a socket or descriptor the loop also waits
// on): OFF, post() and stop() from another thread are seen within
// SOCKKIT_POSTED_WORK_CHECK_MS instead, and the loop opens no wake socket.
#ifndef SOCKKIT_CROSS_THREAD_WAKE
#define SOCKKIT_CROSS_THREAD_WAKE 1
#endif
#ifndef SOCKKIT_POSTED_WORK_CHECK_MS
#define SOCKKIT_POSTED_WORK_CHECK_MS 20
#endif

namespace sockkit {
namespace loop {
// The platform's lock (sys::Lock), held for a scope.
class Locked {
 public:
  explicit Locked(sys::Lock* lock) noexcept : lock_(lock) { sys::acquire(lock_); }
  ~Locked() { sys::release(lock_); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  sys::Lock* lock_;
};
}  // namespace loop

// Debug builds catch a loop-thread-only call made while another thread runs the loop.
#define SOCKKIT_LOOP_THREAD_ONLY() assert(impl_->callable_here())

static_assert(io::readable == sys::kReadable && io::writable == sys::kWritable &&
              io::error == sys::kError && io::hangup == sys::kHangup);

struct EventLoop::Impl final : IoHandler {
  EventLoop home{this, false};  // what servers, clients and channels refer to
  poll::PollerPtr poller;
  loop::TimerHeap timers;
  sys::Waker waker{};
  loop::HandlerTable handlers;  // by descriptor: 8 bytes per watched socket
  sys::Lock* post_lock = nullptr;
  std::vector<Function<void()>> posted;
  std::vector<Function<void()>> draining;
  std::atomic<bool> has_posted{false};  // lets the hot path skip the mutex
  std::atomic<bool> stop_requested{false};
  std::atomic<std::uintptr_t> loop_thread{0};
  std::atomic<std::uintptr_t> running_thread{0};  // set while run_once is on some thread's stack
  Clock::time_point now = Clock::now();
  bool now_read = true;  // false: `now` is from before the wait; read it at first use
  using Batch = std::array<poll::Ready, 256>;
  Batch ready{};
  int depth = 0;  // 1 while run_once is on the stack (it is never re-entered)

  TimerId add_timer(std::chrono::milliseconds delay, Function<void()> fn, bool reserved) {
    // A negative delay is "now" here (a timer cannot wait for ever; an unset deadline can).
    const auto at =
        time::deadline_after(Clock::now(), std::max(delay, std::chrono::milliseconds(0)));
    return timers.add(at, Clock::duration::zero(), std::move(fn), reserved);
  }
  TimerId add_repeating_timer(std::chrono::milliseconds period, Function<void()> fn,
                              bool reserved) {
    period = std::max(period, std::chrono::milliseconds(1));  // a zero period would spin
    return timers.add(time::deadline_after(Clock::now(), period), time::saturating_duration(period),
                      std::move(fn), reserved);
  }
  struct Soon {
    SoonId id;
    Function<void()> fn;  // empty once cancelled
  };
  std::vector<Soon> soon;      // queued for the next iteration's soon phase
  std::vector<Soon> soon_now;  // the batch being run
  SoonId last_soon = 0;
  std::vector<poll::Ready> requeued;       // reported again next iteration (fairness bounds)
  std::vector<Function<void()>> deferred;  // run once no callback is on the stack
  bool running_deferred = false;

  ~Impl() {
    for (int round = 0; round < 16 && !deferred.empty(); ++round)
      run_deferred();
#if SOCKKIT_CROSS_THREAD_WAKE
    if (waker.read_end.valid()) (void)poller->remove(waker.read_end);
    sys::close(waker);
#endif
    sys::destroy(post_lock);
  }

  void on_io(unsigned) noexcept override {  // the waker fired
#if SOCKKIT_CROSS_THREAD_WAKE
    sys::drain(waker);
#endif
  }

  std::size_t run_soon() {
    soon_now.swap(soon);  // what these queue waits for the next iteration
    std::size_t ran = 0;
    for (std::size_t i = 0; i < soon_now.size(); ++i) {
      if (!soon_now[i].fn) continue;
      auto fn = std::move(soon_now[i].fn);
      soon_now[i].fn = nullptr;
      fn();
      ++ran;
    }
    soon_now.clear();
    if (soon.empty()) soon.swap(soon_now);  // keep the capacity
    return ran;
  }

  int wait_timeout(std::chrono::milliseconds max_wait) {
    // Work queued for this very iteration, or posted: do not sleep.
    if (!soon.empty() || has_posted.load(std::memory_order_acquire)) return 0;
    long long wait = max_wait.count() < 0 ? -1 : max_wait.count();
#if !SOCKKIT_CROSS_THREAD_WAKE
    // Nothing wakes a sleeping loop from another thread: it looks for posted
    // work (and stop()) this often instead.
    wait = wait < 0 ? SOCKKIT_POSTED_WORK_CHECK_MS
                    : std::min<long long>(wait, SOCKKIT_POSTED_WORK_CHECK_MS);
#endif
    if (timers.size() == 0) return static_cast<int>(std::min<long long>(wait, INT_MAX));
    if (auto next = timers.next_deadline()) {
      now = Clock::now();  // only needed when a timer bounds the wait
      now_read = true;
      const long long until =
          std::max<long long>(0, std::chrono::ceil<std::chrono::milliseconds>(*next - now).count());
      wait = wait < 0 ? until : std::min(wait, until);
    }
    return static_cast<int>(std::min<long long>(wait, INT_MAX));
  }

  bool callable_here() const noexcept {
    const std::uintptr_t running = running_thread.load(std::memory_order_relaxed);
    return running == 0 || running == sys::current_thread_token();
  }

  void dispatch(const poll::Ready& r) noexcept {
    // A handler may unwatch others in this batch: look it up each time.
    handlers.dispatch(static_cast<std::size_t>(r.handle.value), r.events);
  }

  /// Watches `h` for `interest` with a handler table entry.
  Status watch(NativeHandle h, unsigned interest, std::uintptr_t entry) noexcept {
    if (!h.valid()) return failure::closed_socket;
    const int limit = poller->descriptor_limit();
    if (limit > 0 && h.value >= limit) return failure::limit_reached;
    const auto fd = static_cast<std::size_t>(h.value);
    if (!handlers.reserve(fd)) return make_error(std::errc::not_enough_memory);
    if (auto st = poller->add(h, interest); !st) return st;
    handlers.set(fd, entry);
    return {};
  }

  std::size_t run_requeued() noexcept {
    if (requeued.empty()) return 0;
    std::vector<poll::Ready> batch;
    batch.swap(requeued);  // handlers may requeue again: that waits for the next iteration
    for (const auto& r : batch)
      dispatch(r);
    const std::size_t n = batch.size();
    batch.clear();
    if (requeued.empty()) requeued.swap(batch);  // keep the capacity
    return n;
  }

  std::size_t run_deferred() {
    if (deferred.empty() || running_deferred) return 0;
    running_deferred = true;  // what these defer waits for the next round
    std::vector<Function<void()>> batch;
    batch.swap(deferred);
    for (auto& fn : batch)
      fn();
    running_deferred = false;
    return batch.size();
  }

  std::size_t run_posted() {
    if (!has_posted.load(std::memory_order_acquire)) return 0;
    {
      loop::Locked lock(post_lock);
      draining.swap(posted);
      has_posted.store(false, std::memory_order_relaxed);
    }
    const std::size_t n = draining.size();
    for (auto& fn : draining)
      fn();
    draining.clear();  // keeps its capacity: no allocation next time
    return n;
  }

  Clock::time_point current_time() noexcept {
    if (!now_read) {
      now = Clock::now();
      now_read = true;
    }
    return now;
  }

  // Marks the loop as running on the thread `me` names, for as long as it
  // lives: run() holds one for all its iterations, run_once() for one.
  class Running {
   public:
    Running(Impl& impl, std::uintptr_t me) noexcept : impl_(impl) {
      impl.loop_thread.store(me, std::memory_order_relaxed);
      // One lifetime rule: a callback never runs the loop it was called from
      // (soon(), timers and asynchronous APIs such as Server::shutdown instead).
      if (impl.depth > 0) return;
      entered_ = true;
      impl.depth = 1;
      impl.running_thread.store(me, std::memory_order_relaxed);
    }
    ~Running() {
      if (!entered_) return;
      if (!impl_.deferred.empty()) impl_.run_deferred();  // the closing phase, still "inside"
      impl_.depth = 0;
      impl_.running_thread.store(0, std::memory_order_relaxed);
    }
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    /// False when called from one of the loop's own callbacks.
    bool entered() const noexcept { return entered_; }

   private:
    Impl& impl_;
    bool entered_ = false;
  };

  // One iteration (see run_once), inside a Running; adds what ran to `ran`.
  [[gnu::always_inline]] Status iterate(std::chrono::milliseconds max_wait,
                                        std::size_t& ran) noexcept {
    const int timeout = requeued.empty() ? wait_timeout(max_wait) : 0;
    auto n = poller->wait(ready, timeout);
    if (!n) [[unlikely]]
      return n.error();
    now_read = false;  // the clock is read when something asks: a timer, now()
    const std::size_t reported = *n;
    for (std::size_t i = 0; i < reported; ++i)
      dispatch(ready[i]);
    ran += reported;
    if (!requeued.empty()) ran += run_requeued();
    if (timers.size() != 0) ran += timers.run_expired(current_time());
    if (has_posted.load(std::memory_order_acquire)) ran += run_posted();
    if (!soon.empty()) ran += run_soon();
    if (!deferred.empty()) run_deferred();  // closing: no callback is on the stack
    return {};
  }
};

}  // namespace sockkit
