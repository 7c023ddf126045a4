// SPDX-License-Identifier: MIT
// The event loop: a poller, a timer heap, a waker and a queue of posted work.
#include "sockkit/event_loop.hpp"

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

namespace sockkit {
namespace {
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
}  // namespace

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
  std::vector<std::function<void()>> posted;
  std::vector<std::function<void()>> draining;
  std::atomic<bool> has_posted{false};  // lets the hot path skip the mutex
  std::atomic<bool> stop_requested{false};
  std::atomic<std::uintptr_t> loop_thread{0};
  std::atomic<std::uintptr_t> running_thread{0};  // set while run_once is on some thread's stack
  Clock::time_point now = Clock::now();
  bool now_read = true;  // false: `now` is from before the wait; read it at first use
  using Batch = std::array<poll::Ready, 256>;
  Batch ready{};
  int depth = 0;  // 1 while run_once is on the stack (it is never re-entered)

  TimerId add_timer(std::chrono::milliseconds delay, std::function<void()> fn, bool reserved) {
    // A negative delay is "now" here (a timer cannot wait for ever; an unset deadline can).
    const auto at =
        time::deadline_after(Clock::now(), std::max(delay, std::chrono::milliseconds(0)));
    return timers.add(at, Clock::duration::zero(), std::move(fn), reserved);
  }
  TimerId add_repeating_timer(std::chrono::milliseconds period, std::function<void()> fn,
                              bool reserved) {
    period = std::max(period, std::chrono::milliseconds(1));  // a zero period would spin
    return timers.add(time::deadline_after(Clock::now(), period), time::saturating_duration(period),
                      std::move(fn), reserved);
  }
  struct Soon {
    SoonId id;
    std::function<void()> fn;  // empty once cancelled
  };
  std::vector<Soon> soon;      // queued for the next iteration's soon phase
  std::vector<Soon> soon_now;  // the batch being run
  SoonId last_soon = 0;
  std::vector<poll::Ready> requeued;            // reported again next iteration (fairness bounds)
  std::vector<std::function<void()>> deferred;  // run once no callback is on the stack
  bool running_deferred = false;

  ~Impl() {
    for (int round = 0; round < 16 && !deferred.empty(); ++round)
      run_deferred();
    if (waker.read_end.valid()) (void)poller->remove(waker.read_end);
    sys::close(waker);
    sys::destroy(post_lock);
  }

  void on_io(unsigned) noexcept override { sys::drain(waker); }  // the waker fired

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
    const auto fd = static_cast<std::size_t>(r.handle.value);
    // A handler may unwatch others in this batch: look it up each time.
    if (IoHandler* handler = handlers.get(fd)) handler->on_io(r.events);
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
    std::vector<std::function<void()>> batch;
    batch.swap(deferred);
    for (auto& fn : batch)
      fn();
    running_deferred = false;
    return batch.size();
  }

  std::size_t run_posted() {
    if (!has_posted.load(std::memory_order_acquire)) return 0;
    {
      Locked lock(post_lock);
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

SoonId EventLoop::soon(std::function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  const SoonId id = ++impl_->last_soon;
  impl_->soon.push_back({id, std::move(fn)});
  return id;
}

bool EventLoop::cancel_soon(SoonId id) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  for (auto* list : {&impl_->soon, &impl_->soon_now})
    for (auto& s : *list)
      if (s.id == id) {
        const bool pending = static_cast<bool>(s.fn);
        s.fn = nullptr;
        return pending;
      }
  return false;
}

EventLoop::~EventLoop() {
  if (owner_) delete impl_;
}

EventLoop::EventLoop(EventLoop&& other) noexcept
    : impl_(std::exchange(other.impl_, nullptr)), owner_(std::exchange(other.owner_, false)) {}

EventLoop& EventLoop::operator=(EventLoop&& other) noexcept {
  if (this != &other) {
    EventLoop old(std::move(*this));
    impl_ = std::exchange(other.impl_, nullptr);
    owner_ = std::exchange(other.owner_, false);
  }
  return *this;
}

EventLoop& loop::LoopAccess::home(EventLoop& loop) noexcept {
  return loop.impl_->home;
}

poll::Poller& loop::LoopAccess::poller(EventLoop& loop) noexcept {
  return *loop.impl_->poller;
}

Result<EventLoop> EventLoop::create(const LoopOptions& options) noexcept {
  auto poller = poll::make_poller(options.backend);
  if (!poller && options.backend == Backend::uring && options.fallback &&
      poller.error() == errc::not_supported)
    poller = poll::make_poller(Backend::epoll);
  if (!poller) return poller.error();
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl());
  if (!impl) return make_error(std::errc::not_enough_memory);
  impl->poller = std::move(*poller);
  if (!impl->timers.set_capacity(options.max_timers)) return failure::timers_exhausted;
  impl->post_lock = sys::make_lock();
  if (impl->post_lock == nullptr) return make_error(std::errc::not_enough_memory);
  auto waker = sys::open_waker();
  if (!waker) return waker.error();
  impl->waker = *waker;
  if (auto st = impl->poller->add(waker->read_end, sys::kReadable); !st) return st.error();
  const auto fd = static_cast<std::size_t>(waker->read_end.value);
  if (!impl->handlers.reserve(fd)) return make_error(std::errc::not_enough_memory);
  impl->handlers.set(fd, impl.get());
  return EventLoop(impl.release(), true);
}

Backend EventLoop::backend() const noexcept {
  return impl_->poller->backend();
}
int EventLoop::descriptor_limit() const noexcept {
  return impl_->poller->descriptor_limit();
}

Status EventLoop::watch(NativeHandle h, unsigned interest, IoHandler* handler) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  if (!h.valid() || handler == nullptr) return failure::closed_socket;
  const int limit = descriptor_limit();
  if (limit > 0 && h.value >= limit) return failure::limit_reached;
  const auto fd = static_cast<std::size_t>(h.value);
  if (!impl_->handlers.reserve(fd)) return make_error(std::errc::not_enough_memory);
  if (auto st = impl_->poller->add(h, interest); !st) return st;
  impl_->handlers.set(fd, handler);
  return {};
}

Status EventLoop::rewatch(NativeHandle h, unsigned interest) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->poller->modify(h, interest);
}

Status EventLoop::unwatch(NativeHandle h) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  auto st = impl_->poller->remove(h);
  const auto fd = static_cast<std::size_t>(h.value);
  if (h.valid()) impl_->handlers.clear(fd);
  return st;
}

TimerId EventLoop::add_timer(std::chrono::milliseconds delay, std::function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->add_timer(delay, std::move(fn), false);
}

TimerId EventLoop::add_repeating_timer(std::chrono::milliseconds period, std::function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->add_repeating_timer(period, std::move(fn), false);
}

Result<TimerReservation> EventLoop::reserve_timers(std::size_t count) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  if (!impl_->timers.reserve(count)) return failure::timers_exhausted;
  return TimerReservation(&impl_->home, count);
}

std::size_t EventLoop::max_timers() const noexcept {
  return impl_->timers.capacity();
}

TimerReservation::~TimerReservation() {
  if (loop_ != nullptr) loop_->impl_->timers.unreserve(count_);
}

TimerReservation::TimerReservation(TimerReservation&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)), count_(std::exchange(other.count_, 0)) {}

TimerReservation& TimerReservation::operator=(TimerReservation&& other) noexcept {
  if (this != &other) {
    if (loop_ != nullptr) loop_->impl_->timers.unreserve(count_);
    loop_ = std::exchange(other.loop_, nullptr);
    count_ = std::exchange(other.count_, 0);
  }
  return *this;
}

TimerId TimerReservation::add_timer(std::chrono::milliseconds delay, std::function<void()> fn) {
  return loop_ == nullptr ? 0 : loop_->impl_->add_timer(delay, std::move(fn), true);
}

TimerId TimerReservation::add_repeating_timer(std::chrono::milliseconds period,
                                              std::function<void()> fn) {
  return loop_ == nullptr ? 0 : loop_->impl_->add_repeating_timer(period, std::move(fn), true);
}

bool EventLoop::cancel_timer(TimerId id) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  return impl_->timers.cancel(id);
}

bool EventLoop::timer_pending(TimerId id) const noexcept {
  return impl_->timers.pending(id);
}

Timer::~Timer() {
  cancel();
}

Timer::Timer(Timer&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)), id_(std::exchange(other.id_, 0)) {}

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    loop_ = std::exchange(other.loop_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

// Every way of arming comes here: one place that replaces the pending run.
bool Timer::start(EventLoop* home, bool reserved, bool repeating, std::chrono::milliseconds delay,
                  std::function<void()>&& fn) {
  cancel();
  if (home == nullptr) return false;  // an empty reservation
  EventLoop::Impl& impl = *home->impl_;
  id_ = repeating ? impl.add_repeating_timer(delay, std::move(fn), reserved)
                  : impl.add_timer(delay, std::move(fn), reserved);
  loop_ = home;
  return id_ != 0;
}

bool Timer::arm(EventLoop& loop, std::chrono::milliseconds delay, std::function<void()> fn) {
  return start(&loop::LoopAccess::home(loop), false, false, delay, std::move(fn));
}

bool Timer::arm(TimerReservation& slots, std::chrono::milliseconds delay,
                std::function<void()> fn) {
  return start(slots.loop_, true, false, delay, std::move(fn));
}

bool Timer::arm_repeating(EventLoop& loop, std::chrono::milliseconds period,
                          std::function<void()> fn) {
  return start(&loop::LoopAccess::home(loop), false, true, period, std::move(fn));
}

bool Timer::arm_repeating(TimerReservation& slots, std::chrono::milliseconds period,
                          std::function<void()> fn) {
  return start(slots.loop_, true, true, period, std::move(fn));
}

bool Timer::cancel() noexcept {
  if (loop_ == nullptr || id_ == 0) return false;
  const bool was = loop_->cancel_timer(std::exchange(id_, 0));
  return was;
}

bool Timer::pending() const noexcept {
  return loop_ != nullptr && id_ != 0 && loop_->timer_pending(id_);
}

void EventLoop::requeue(NativeHandle h, unsigned events) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  impl_->requeued.push_back({h, events});
}

void EventLoop::defer(std::function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  if (impl_->depth == 0 && !impl_->running_deferred) return fn();
  impl_->deferred.push_back(std::move(fn));
}

bool EventLoop::in_callback() const noexcept {
  return impl_->depth > 0 || impl_->running_deferred;
}
std::size_t EventLoop::timer_count() const noexcept {
  return impl_->timers.size();
}

void EventLoop::post(std::function<void()> fn) {
  bool was_empty;
  {
    Locked lock(impl_->post_lock);
    was_empty = impl_->posted.empty();
    impl_->posted.push_back(std::move(fn));
    impl_->has_posted.store(true, std::memory_order_release);
  }
  if (was_empty) sys::wake(impl_->waker);  // one wake-up per batch is enough
}

void EventLoop::stop() noexcept {
  impl_->stop_requested = true;
  sys::wake(impl_->waker);
}

// One iteration, in this order:
//   1. wait for I/O — not at all while requeued, posted or soon() work is queued,
//      else until the next timer or `max_wait`;
//   2. I/O readiness (and completions) reported by the backend;
//   3. events requeued by handlers that stopped early (fairness);
//   4. timers now due;
//   5. work posted from other threads;
//   6. soon() work queued before this phase began;
//   7. closing: what defer() queued (objects destroyed from their own
//      callbacks), once no callback is on the stack.
Result<std::size_t> EventLoop::run_once(std::chrono::milliseconds max_wait) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  Impl::Running running(*impl_, sys::current_thread_token());
  if (!running.entered()) return make_error(std::errc::resource_deadlock_would_occur);
  std::size_t ran = 0;
  if (auto st = impl_->iterate(max_wait, ran); !st) return st.error();
  return ran;
}

Status EventLoop::run() noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  Status st;
  {
    Impl::Running running(*impl_, sys::current_thread_token());
    if (!running.entered()) return make_error(std::errc::resource_deadlock_would_occur);
    std::size_t ran = 0;
    while (st && !impl_->stop_requested.load(std::memory_order_relaxed))
      st = impl_->iterate(std::chrono::milliseconds(-1), ran);
  }
  impl_->stop_requested = false;
  return st;
}

bool EventLoop::run_until(const std::function<bool()>& done, Clock::time_point deadline) noexcept {
  while (!done()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (!run_once(left)) return done();  // a backend error, or called from a callback
  }
  return true;
}

EventLoop::Clock::time_point EventLoop::now() const noexcept {
  return impl_->current_time();
}

bool EventLoop::in_loop_thread() const noexcept {
  return impl_->loop_thread.load() == sys::current_thread_token();
}

}  // namespace sockkit
