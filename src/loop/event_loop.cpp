// SPDX-License-Identifier: MIT
// The event loop: a poller, a timer heap, a waker and a queue of posted work.
#include "sockkit/event_loop.hpp"

#include "loop/loop_impl.hpp"

namespace sockkit {

SoonId EventLoop::soon(Function<void()> fn) {
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
  // A loop before its stack would wait on a stack that is not there.
  if (auto ready = sys::stack_ready(); !ready) return ready.error();
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
#if SOCKKIT_CROSS_THREAD_WAKE
  auto waker = sys::open_waker();
  if (!waker) return waker.error();
  impl->waker = *waker;
  if (auto st = impl->poller->add(waker->read_end, sys::kReadable); !st) return st.error();
  const auto fd = static_cast<std::size_t>(waker->read_end.value);
  if (!impl->handlers.reserve(fd)) return make_error(std::errc::not_enough_memory);
  impl->handlers.set(fd, impl.get());
#endif
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
  if (handler == nullptr) return failure::closed_socket;
  return impl_->watch(h, interest, reinterpret_cast<std::uintptr_t>(handler));
}

Status loop::LoopAccess::watch(EventLoop& loop, NativeHandle h, unsigned interest, void* object,
                               IoFunction fn) noexcept {
  assert(loop.impl_->callable_here());
  if (object == nullptr) return failure::closed_socket;
  const std::uintptr_t entry = loop.impl_->handlers.entry_for(object, fn);
  if (entry == 0) return failure::limit_reached;
  return loop.impl_->watch(h, interest, entry);
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

void EventLoop::requeue(NativeHandle h, unsigned events) noexcept {
  SOCKKIT_LOOP_THREAD_ONLY();
  impl_->requeued.push_back({h, events});
}

void EventLoop::defer(Function<void()> fn) {
  SOCKKIT_LOOP_THREAD_ONLY();
  if (impl_->depth == 0 && !impl_->running_deferred) return fn();
  impl_->deferred.push_back(std::move(fn));
}

bool EventLoop::in_callback() const noexcept {
  return impl_->depth > 0 || impl_->running_deferred;
}
void EventLoop::post(Function<void()> fn) {
  bool was_empty;
  {
    loop::Locked lock(impl_->post_lock);
    was_empty = impl_->posted.empty();
    impl_->posted.push_back(std::move(fn));
    impl_->has_posted.store(true, std::memory_order_release);
  }
#if SOCKKIT_CROSS_THREAD_WAKE
  if (was_empty) sys::wake(impl_->waker);  // one wake-up per batch is enough
#else
  (void)was_empty;
#endif
}

void EventLoop::stop() noexcept {
  impl_->stop_requested = true;
#if SOCKKIT_CROSS_THREAD_WAKE
  sys::wake(impl_->waker);
#endif
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

bool EventLoop::run_until(const Function<bool()>& done, Clock::time_point deadline) noexcept {
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
