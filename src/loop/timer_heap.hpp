// SPDX-License-Identifier: MIT
// Timers for the event loop: an indexed binary min-heap. Insert, cancel and
// expire are O(log n) — no linear scans, because every connection having an
// idle timer is normal. Timers with equal deadlines fire in the order added.
//
// A heap may have a capacity: its slots are made once, add() fails (id 0)
// when they are all in use, and nothing is allocated for timers afterwards.
// Reservations keep slots for owners that cannot fail later (a client's retry
// timer): a plain add() leaves the reserved slots alone. A build with
// SOCKKIT_TIMER_CAPACITY=N keeps N slots inside the heap itself, with no deque
// or vector code at all.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "sockkit/clock.hpp"
#include "sockkit/function.hpp"

#ifndef SOCKKIT_TIMER_CAPACITY
#define SOCKKIT_TIMER_CAPACITY 0
#endif
#if SOCKKIT_TIMER_CAPACITY == 0
#include <deque>
#include <vector>
#endif

namespace sockkit::loop {

/// Identifies a timer; 0 never names one. Stale ids (fired, cancelled) are safe to cancel.
using TimerId = std::uint64_t;

/// Slots built into the heap; 0 = the heap grows (up to an optional run-time capacity).
inline constexpr std::size_t kBuiltInTimerCapacity = SOCKKIT_TIMER_CAPACITY;

class TimerHeap {
 public:
  using Clock = LoopClock;

  /// Limits the heap to `capacity` timers (0: no limit) and makes their slots
  /// now. Only before the first add(); false if it is larger than the built-in capacity.
  bool set_capacity(std::size_t capacity);
  /// The limit, 0 for none.
  std::size_t capacity() const noexcept { return capacity_; }
  /// Keeps `count` slots for add(..., true). False, changing nothing, when they
  /// are not free.
  bool reserve(std::size_t count) noexcept;
  /// Gives back slots kept by reserve().
  void unreserve(std::size_t count) noexcept;

  /// A timer at `deadline`; with a non-zero `period` it repeats. 0 when no slot
  /// is free (a reserved add draws on the reserved slots).
  TimerId add(Clock::time_point deadline, Clock::duration period, Function<void()> fn,
              bool reserved = false);
  /// True if the timer was pending and is now cancelled (even from its own callback).
  bool cancel(TimerId id) noexcept;
  /// True while the timer waits to run (a repeating one until cancelled).
  bool pending(TimerId id) const noexcept;
  /// Earliest pending deadline, if any.
  std::optional<Clock::time_point> next_deadline() const noexcept;
  /// Runs every timer due at `now` once (a repeating timer is re-armed first, so it
  /// may cancel itself); returns how many ran.
  std::size_t run_expired(Clock::time_point now);
  std::size_t size() const noexcept { return heap_.size(); }

 private:
  struct Node {
    Clock::time_point deadline{};
    Clock::duration period{};
    std::uint64_t sequence = 0;  // tie-break: equal deadlines fire in insertion order
    Function<void()> fn;
    std::uint32_t heap_index = 0;
    std::uint32_t generation = 0;
    std::uint16_t running = 0;  // callbacks of this node on the stack (the loop may nest)
    bool pending = false;
    bool reserved = false;  // drawn from a reservation
  };

#if SOCKKIT_TIMER_CAPACITY > 0
  // A vector's few operations over storage inside the heap.
  template <typename T>
  class Slots {
   public:
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T& operator[](std::size_t i) noexcept { return items_[i]; }
    const T& operator[](std::size_t i) const noexcept { return items_[i]; }
    T& front() noexcept { return items_[0]; }
    const T& front() const noexcept { return items_[0]; }
    T& back() noexcept { return items_[size_ - 1]; }
    void push_back(const T& v) noexcept { items_[size_++] = v; }
    void emplace_back() noexcept { items_[size_++] = T{}; }
    void pop_back() noexcept { --size_; }
    void reserve(std::size_t) noexcept {}

   private:
    std::array<T, SOCKKIT_TIMER_CAPACITY> items_{};
    std::size_t size_ = 0;
  };
  using NodeStore = Slots<Node>;
  using IndexStore = Slots<std::uint32_t>;
#else
  using NodeStore = std::deque<Node>;  // deque: a running callback's node never moves
  using IndexStore = std::vector<std::uint32_t>;
#endif

  bool earlier(std::uint32_t a, std::uint32_t b) const noexcept;
  void place(std::size_t index, std::uint32_t slot) noexcept;
  void sift_up(std::size_t index) noexcept;
  void sift_down(std::size_t index) noexcept;
  void erase_at(std::size_t index) noexcept;
  void push(std::uint32_t slot) noexcept;
  void release(std::uint32_t slot) noexcept;
  Node* find(TimerId id) noexcept;

  NodeStore nodes_;
  IndexStore free_;
  IndexStore heap_;
  std::uint64_t next_sequence_ = 0;
  std::size_t capacity_ = kBuiltInTimerCapacity;
  std::size_t reserved_ = 0;           // slots kept by reserve()
  std::size_t unreserved_in_use_ = 0;  // slots held by plain adds
};

}  // namespace sockkit::loop
