// Timers for the event loop: an indexed binary min-heap. Insert, cancel and
// expire are O(log n) — no linear scans, because every connection having an
// idle timer is normal. Timers with equal deadlines fire in the order added.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

namespace sockkit::loop {

/// Identifies a timer; 0 never names one. Stale ids (fired, cancelled) are safe to cancel.
using TimerId = std::uint64_t;

class TimerHeap {
 public:
  using Clock = std::chrono::steady_clock;

  /// A timer at `deadline`; with a non-zero `period` it repeats.
  TimerId add(Clock::time_point deadline, Clock::duration period, std::function<void()> fn);
  /// True if the timer was pending and is now cancelled (even from its own callback).
  bool cancel(TimerId id) noexcept;
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
    std::function<void()> fn;
    std::uint32_t heap_index = 0;
    std::uint32_t generation = 0;
    std::uint16_t running = 0;  // callbacks of this node on the stack (the loop may nest)
    bool pending = false;
  };

  bool earlier(std::uint32_t a, std::uint32_t b) const noexcept;
  void place(std::size_t index, std::uint32_t slot) noexcept;
  void sift_up(std::size_t index) noexcept;
  void sift_down(std::size_t index) noexcept;
  void erase_at(std::size_t index) noexcept;
  void push(std::uint32_t slot) noexcept;
  void release(std::uint32_t slot) noexcept;
  Node* find(TimerId id) noexcept;

  std::deque<Node> nodes_;  // deque: a running callback's node never moves
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace sockkit::loop
