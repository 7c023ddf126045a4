// SPDX-License-Identifier: MIT
/// @file
/// One thread, many sockets: readiness callbacks,
/// timers, cross-thread post(), on any backend.
///
///       auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::epoll});
///       if (!loop) return loop.error();
///       loop->add_timer(500ms, [&] { puts("half a second"); });
///       loop->add_repeating_timer(1s, [&] { puts("tick"); });
///       std::thread t([&] { loop->post([&] { loop->stop(); }); });
///       loop->run();            // returns after stop()
///       t.join();
///
/// Threads: post() and stop() may be called from any thread; everything else
/// only from the thread running the loop (debug builds assert it). The loop owns the sockets
/// registered with it: close them from the loop thread (post() the close) — on lwIP, closing a
/// socket another thread is blocked in freezes the stack.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "sockkit/backend.hpp"
#include "sockkit/clock.hpp"
#include "sockkit/function.hpp"
#include "sockkit/types.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Readiness bits passed to IoHandler::on_io.
namespace io {
inline constexpr unsigned readable = 1;  ///< Data, a connection or end of stream to read.
inline constexpr unsigned writable = 2;  ///< Room to send, or a connect finished.
inline constexpr unsigned error = 4;     ///< Always reported, whatever the interest.
inline constexpr unsigned hangup = 8;    ///< Always reported, whatever the interest.
}  // namespace io

/// Receives readiness for one descriptor. Spurious calls are possible (a
/// descriptor number reused within one batch): read/write until would_block.
class IoHandler {
 public:
  /// Called on the loop's thread with io::readable and/or io::writable.
  /// @param events io::readable and/or io::writable.
  virtual void on_io(unsigned events) noexcept = 0;

 protected:
  ~IoHandler() = default;
};

/// How a loop is created.
struct LoopOptions {
  Backend backend = default_backend();  ///< epoll where the build has it, else poll.
  /// If the kernel refuses io_uring, run on epoll instead (backend() tells).
  bool fallback = true;
  /// Most timers pending at once, 0 = no limit. With a limit the loop makes its
  /// timer slots at create() and allocates none afterwards; add_timer() returns
  /// 0 when none is free and what sockkit builds on the loop fails with
  /// failure::timers_exhausted. A build with SOCKKIT_TIMER_CAPACITY=N has N
  /// slots built in: 0 here means N, more than N fails create().
  std::size_t max_timers = 0;
};

/// Identifies a timer; 0 is never a timer. Cancelling a stale id is harmless.
using TimerId = std::uint64_t;
/// Identifies work queued with EventLoop::soon(); 0 is never one. Ids are never reused.
using SoonId = std::uint64_t;

class EventLoop;
class TimerReservation;
/// @cond internal
namespace loop {
struct LoopAccess;  // the library's own way in (nothing for users)
}  // namespace loop
/// @endcond

/// The event loop.
class EventLoop {
 public:
  /// The clock of timers and deadlines: monotonic, unaffected by wall-clock
  /// changes; std::chrono::steady_clock on Linux, StackClock on lwIP (sockkit/clock.hpp).
  using Clock = LoopClock;

  /// A loop on the requested backend (see LoopOptions::fallback).
  ///
  ///     auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
  ///
  /// @param options the backend, its fallback, and the timer limit.
  /// @return the loop, or failure::backend_unavailable (not built in, or refused by the
  ///         kernel with no fallback allowed), errc::too_many_sockets, errc::no_buffer_space.
  static Result<EventLoop> create(const LoopOptions& options = {}) noexcept;
  /// Closes the loop. Servers, clients and channels made on it must be gone first.
  ~EventLoop();
  /// Takes over `other`'s loop; `other` is left empty. What was made on the loop
  /// keeps working: it refers to the loop itself, not to the object that named it.
  /// @param other the loop taken over.
  EventLoop(EventLoop&& other) noexcept;
  /// Closes what this held, then takes over `other`'s loop.
  /// @param other the loop taken over.
  /// @return this object.
  EventLoop& operator=(EventLoop&& other) noexcept;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// The backend actually in use (epoll after an io_uring fallback).
  /// @return the backend in use.
  Backend backend() const noexcept;
  /// True for epoll_edge: handlers must drain reads and writes until would_block.
  /// @return whether readiness is reported once per change.
  bool edge_triggered() const noexcept { return backend() == Backend::epoll_edge; }
  /// Highest descriptor + 1 the backend accepts (FD_SETSIZE for select), 0 = no limit.
  /// @return the limit, or 0 when there is none.
  int descriptor_limit() const noexcept;

  /// Calls handler->on_io() whenever `h` is ready for `interest` (io::readable |
  /// io::writable). errc::limit_exceeded past the backend's descriptor limit.
  ///
  ///     loop->watch(sock.native_handle(), sockkit::io::readable, &my_handler);
  ///
  /// @param h the descriptor (not yet watched). @param interest io::readable and/or io::writable.
  /// @param handler called on the loop thread; must outlive the watch.
  /// @return failure::closed_socket for an invalid descriptor or no handler,
  ///         failure::limit_reached (errc::limit_exceeded) past the backend's limit,
  ///         or the backend's own error (a descriptor watched twice).
  Status watch(NativeHandle h, unsigned interest, IoHandler* handler) noexcept;
  /// Changes the interest of a watched descriptor.
  /// @param h a watched descriptor. @param interest the new interest (0: none for now).
  /// @return the backend's error when `h` is not watched.
  Status rewatch(NativeHandle h, unsigned interest) noexcept;
  /// Stops watching; call before closing the descriptor.
  /// @param h a watched descriptor. @return the backend's error when `h` is not watched.
  Status unwatch(NativeHandle h) noexcept;

  /// Runs `fn` once after `delay` (negative: at once; milliseconds::max(): never).
  /// 0 when the loop's timers are limited (LoopOptions::max_timers) and none is
  /// free beyond the reserved ones.
  ///
  ///     auto id = loop->add_timer(2s, [] { puts("late"); });
  ///
  /// @param delay from now. @param fn what to run, on the loop thread.
  /// @return the timer's id, for cancel_timer(); 0 when no timer slot is free.
  TimerId add_timer(std::chrono::milliseconds delay, Function<void()> fn);
  /// Runs `fn` every `period` (at least 1 ms) until cancelled; 0 as add_timer().
  /// @param period between runs. @param fn what to run, on the loop thread.
  /// @return the timer's id; 0 when no timer slot is free.
  TimerId add_repeating_timer(std::chrono::milliseconds period, Function<void()> fn);
  /// Keeps `count` timer slots for one owner, so that its later timers cannot
  /// fail; failure::timers_exhausted when they are not free. Always succeeds
  /// on a loop without a timer limit.
  ///
  ///     auto timers = loop->reserve_timers(2);
  ///     if (!timers) return timers.error();
  ///     retry = timers->add_timer(1s, [&] { reconnect(); });  // never 0
  ///
  /// @param count slots to keep.
  /// @return the reservation (gives the slots back when destroyed), or failure::timers_exhausted.
  Result<TimerReservation> reserve_timers(std::size_t count) noexcept;
  /// The loop's timer limit, 0 for none.
  /// @return the limit, or 0 for none.
  std::size_t max_timers() const noexcept;
  /// True if the timer was pending. Safe from inside any callback, its own included.
  /// @param id from add_timer(); 0 or a stale id is harmless.
  /// @return whether it was pending.
  bool cancel_timer(TimerId id) noexcept;
  /// True while the timer waits to run (a repeating one until cancelled); false
  /// inside a one-shot timer's own callback.
  /// @param id from add_timer().
  /// @return whether it will still run.
  bool timer_pending(TimerId id) const noexcept;
  /// Timers pending now.
  /// @return how many timers are pending.
  std::size_t timer_count() const noexcept;

  /// Reports `events` for `h` again in the next iteration, without waiting for
  /// the backend. For handlers that stop early to bound their share of an
  /// iteration: an edge-triggered backend would not report the rest again.
  ///
  ///     if (++reads == kBudget) return loop->requeue(fd, sockkit::io::readable);
  ///
  /// @param h a watched descriptor. @param events io::readable and/or io::writable to report again.
  void requeue(NativeHandle h, unsigned events) noexcept;
  /// Runs `fn` on the loop's next iteration — never now, even outside any
  /// callback — after that iteration's I/O, timers and posted work, in the
  /// order queued. Work queued by such a function waits for the iteration after.
  /// A waiting loop does not sleep while work is queued. Loop thread only.
  ///
  ///     loop->soon([&] { handler.on_done(result); });  // after the caller has returned
  ///
  /// @param fn what to run, on the loop thread.
  /// @return its id, for cancel_soon().
  SoonId soon(Function<void()> fn);
  /// Drops work queued with soon(); true if it had not run yet.
  /// @param id from soon().
  /// @return whether it had not run yet.
  bool cancel_soon(SoonId id) noexcept;

  /// Runs `fn` once no callback of this loop is on the stack: at the end of the
  /// outermost iteration, or at once when called outside any callback. This is
  /// how objects are destroyed from inside their own callbacks.
  ///
  ///     loop->defer([p = session.release()] { delete p; });
  ///
  /// @param fn what to run, on the loop thread.
  void defer(Function<void()> fn);
  /// True while a callback of this loop (I/O, timer, posted, deferred) is running.
  /// @return whether one of the loop's callbacks is on the stack.
  bool in_callback() const noexcept;

  /// Queues `fn` to run on the loop thread and wakes the loop. Any thread.
  ///
  ///     std::thread([&] { loop->post([&] { conn.send("hi"); }); }).detach();
  ///
  /// @param fn what to run, on the loop thread.
  void post(Function<void()> fn);
  /// Makes run() return after the current iteration. Any thread.
  void stop() noexcept;

  /// Runs until stop(). Errors of the backend end it with that error.
  /// Like run_once() and run_until(), never from inside one of this loop's
  /// own callbacks: there it returns std::errc::resource_deadlock_would_occur
  /// at once (queue the work with soon() or a timer instead).
  /// @return after stop(): success; else the backend's error, or
  ///         std::errc::resource_deadlock_would_occur from inside a callback.
  Status run() noexcept;
  /// One iteration: waits up to `max_wait` (negative: until something happens),
  /// dispatches I/O, due timers, posted and soon() work. Returns callbacks run.
  /// @param max_wait the longest wait for something to happen; negative: no limit.
  /// @return how many callbacks ran, or an error as run() gives.
  Result<std::size_t> run_once(std::chrono::milliseconds max_wait) noexcept;
  /// Runs iterations until `done()` is true or `deadline` passes; true if done.
  /// @param done asked after each iteration. @param deadline when to give up.
  /// @return true when `done()` became true; false at the deadline or on an error.
  bool run_until(const Function<bool()>& done, Clock::time_point deadline) noexcept;

  /// The iteration's time: the clock is read once per iteration, at the first
  /// call after the wait for I/O (or when timers are due), and later calls in
  /// the same iteration return that same value without reading it again.
  /// @return the iteration's time.
  Clock::time_point now() const noexcept;
  /// True on the thread inside run()/run_once().
  /// @return whether the caller is the loop's running thread.
  bool in_loop_thread() const noexcept;

 private:
  struct Impl;
  friend struct loop::LoopAccess;
  friend class TimerReservation;
  friend class Timer;
  EventLoop(Impl* impl, bool owner) noexcept : impl_(impl), owner_(owner) {}
  Impl* impl_ = nullptr;
  bool owner_ = false;  // false: the loop's own home object (see LoopAccess::home)
};

/// Timer slots kept for one owner (EventLoop::reserve_timers): while it has no
/// more timers pending than it reserved, its add_timer() never returns 0.
/// Given back when destroyed; cancel its timers first. Empty when default-made.
class TimerReservation {
 public:
  TimerReservation() noexcept = default;
  /// Gives the slots back to the loop.
  ~TimerReservation();
  /// Takes over `other`'s slots; `other` is left empty.
  /// @param other the reservation taken over.
  TimerReservation(TimerReservation&& other) noexcept;
  /// Gives back what this held, then takes over `other`'s slots.
  /// @param other the reservation taken over.
  /// @return this object.
  TimerReservation& operator=(TimerReservation&& other) noexcept;
  TimerReservation(const TimerReservation&) = delete;
  TimerReservation& operator=(const TimerReservation&) = delete;

  /// EventLoop::add_timer on a reserved slot.
  /// @param delay from now. @param fn what to run, on the loop thread.
  /// @return the timer's id; 0 only when more timers are pending than were reserved.
  TimerId add_timer(std::chrono::milliseconds delay, Function<void()> fn);
  /// EventLoop::add_repeating_timer on a reserved slot.
  /// @param period between runs. @param fn what to run, on the loop thread.
  /// @return the timer's id; 0 only when more timers are pending than were reserved.
  TimerId add_repeating_timer(std::chrono::milliseconds period, Function<void()> fn);
  /// Slots held.
  /// @return how many slots are held.
  std::size_t count() const noexcept { return count_; }

 private:
  friend class EventLoop;
  friend class Timer;
  TimerReservation(EventLoop* loop, std::size_t count) noexcept : loop_(loop), count_(count) {}
  EventLoop* loop_ = nullptr;  // the loop's home object: outlives every move of the user's
  std::size_t count_ = 0;
};

/// A timer that cancels itself: when armed again, when cancelled, and when
/// destroyed. What an object schedules for itself lives and dies with it, so
/// no callback of a destroyed object can run. Cancel or destroy it before its loop.
///
///     struct Link {
///       sockkit::Timer retry;   // declared after what its callback uses
///       void lost(sockkit::EventLoop& loop) { retry.arm(loop, 2s, [this] { redial(); }); }
///     };
class Timer {
 public:
  /// Not armed.
  Timer() noexcept = default;
  /// Cancels a pending run.
  ~Timer();
  /// Takes over `other`'s pending run; `other` is left unarmed.
  /// @param other the timer taken over.
  Timer(Timer&& other) noexcept;
  /// Cancels this one's pending run, then takes over `other`'s.
  /// @param other the timer taken over.
  /// @return this timer.
  Timer& operator=(Timer&& other) noexcept;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Runs `fn` once after `delay` (as EventLoop::add_timer), cancelling a
  /// pending run first. False when the loop's timers are limited and none is
  /// free (the timer is then unarmed).
  /// @param loop where it runs. @param delay from now. @param fn what to run.
  /// @return false when no timer slot is free.
  bool arm(EventLoop& loop, std::chrono::milliseconds delay, Function<void()> fn);
  /// The same on one of `slots`' reserved timer slots: never refused while the
  /// owner has no more timers pending than it reserved.
  /// @param slots the owner's reservation. @param delay from now. @param fn what to run.
  /// @return false only past the reservation.
  bool arm(TimerReservation& slots, std::chrono::milliseconds delay, Function<void()> fn);
  /// Runs `fn` every `period` until cancelled (as EventLoop::add_repeating_timer).
  /// @param loop where it runs. @param period between runs. @param fn what to run.
  /// @return false when no timer slot is free.
  bool arm_repeating(EventLoop& loop, std::chrono::milliseconds period, Function<void()> fn);
  /// The same on one of `slots`' reserved timer slots.
  /// @param slots the owner's reservation. @param period between runs. @param fn what to run.
  /// @return false only past the reservation.
  bool arm_repeating(TimerReservation& slots, std::chrono::milliseconds period,
                     Function<void()> fn);
  /// Cancels a pending run; true if there was one. Safe inside its own callback.
  /// @return whether a run was pending.
  bool cancel() noexcept;
  /// Armed and not run yet (a repeating timer: until cancelled).
  /// @return whether it will still run.
  bool pending() const noexcept;

 private:
  bool start(EventLoop* home, bool reserved, bool repeating, std::chrono::milliseconds delay,
             Function<void()>&& fn);
  EventLoop* loop_ = nullptr;  // the loop's home object: outlives every move of the user's
  TimerId id_ = 0;
};

}  // namespace sockkit

#pragma GCC visibility pop
