// SPDX-License-Identifier: MIT
#include "loop/timer_heap.hpp"

#include <utility>

namespace sockkit::loop {

bool TimerHeap::set_capacity(std::size_t capacity) {
  if (!nodes_.empty()) return false;
  if (kBuiltInTimerCapacity != 0) {
    if (capacity > kBuiltInTimerCapacity) return false;
    if (capacity == 0) capacity = kBuiltInTimerCapacity;
  }
  capacity_ = capacity;
  // Every slot is made now, so that running the loop allocates nothing for timers.
  heap_.reserve(capacity);
  free_.reserve(capacity);
  for (std::size_t i = 0; i < capacity; ++i)
    nodes_.emplace_back();
  for (std::size_t i = capacity; i > 0; --i)
    free_.push_back(static_cast<std::uint32_t>(i - 1));
  return true;
}

bool TimerHeap::reserve(std::size_t count) noexcept {
  if (capacity_ != 0 && reserved_ + unreserved_in_use_ + count > capacity_) return false;
  reserved_ += count;
  return true;
}

void TimerHeap::unreserve(std::size_t count) noexcept {
  reserved_ -= count <= reserved_ ? count : reserved_;
}

TimerId TimerHeap::add(Clock::time_point deadline, Clock::duration period, Function<void()> fn,
                       bool reserved) {
  if (capacity_ != 0) {
    if (nodes_.size() - free_.size() >= capacity_) return 0;
    if (!reserved && unreserved_in_use_ + reserved_ >= capacity_) return 0;
  }
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  Node& n = nodes_[slot];
  n.deadline = deadline;
  n.period = period;
  n.sequence = next_sequence_++;
  n.fn = std::move(fn);
  n.pending = true;
  n.reserved = reserved;
  if (!reserved) ++unreserved_in_use_;
  push(slot);
  return (std::uint64_t{n.generation} << 32) | (slot + 1u);
}

TimerHeap::Node* TimerHeap::find(TimerId id) noexcept {
  const auto low = static_cast<std::uint32_t>(id & 0xffffffffu);
  if (low == 0 || low > nodes_.size()) return nullptr;
  Node& n = nodes_[low - 1];
  return n.generation == static_cast<std::uint32_t>(id >> 32) ? &n : nullptr;
}

bool TimerHeap::cancel(TimerId id) noexcept {
  Node* n = find(id);
  if (n == nullptr || !n->pending) return false;
  const auto slot = static_cast<std::uint32_t>((id & 0xffffffffu) - 1);
  erase_at(n->heap_index);
  n->pending = false;
  if (n->running == 0) release(slot);  // a running callback is released after it returns
  return true;
}

bool TimerHeap::pending(TimerId id) const noexcept {
  const Node* n = const_cast<TimerHeap*>(this)->find(id);
  return n != nullptr && n->pending;
}

std::optional<TimerHeap::Clock::time_point> TimerHeap::next_deadline() const noexcept {
  if (heap_.empty()) return std::nullopt;
  return nodes_[heap_.front()].deadline;
}

std::size_t TimerHeap::run_expired(Clock::time_point now) {
  std::size_t ran = 0;
  // Each timer due now runs once: re-armed repeating timers are due strictly later.
  while (!heap_.empty() && nodes_[heap_.front()].deadline <= now) {
    const std::uint32_t slot = heap_.front();
    Node& n = nodes_[slot];
    erase_at(0);
    if (n.period > Clock::duration::zero()) {
      n.deadline += n.period;
      if (n.deadline <= now) n.deadline = now + n.period;  // fell behind: do not burst
      n.sequence = next_sequence_++;
      push(slot);
      // A callback that runs the loop again does not re-enter itself: the
      // nested run re-arms it and moves on (the outer call is still running).
      if (n.running != 0) continue;
      ++n.running;
      n.fn();
      Node& after = nodes_[slot];  // deque: the reference is still valid; re-read for clarity
      --after.running;
      if (!after.pending && after.running == 0) release(slot);  // cancelled itself
    } else {
      n.pending = false;
      Function<void()> fn = std::move(n.fn);
      release(slot);
      fn();
    }
    ++ran;
  }
  return ran;
}

bool TimerHeap::earlier(std::uint32_t a, std::uint32_t b) const noexcept {
  const Node& x = nodes_[a];
  const Node& y = nodes_[b];
  return x.deadline != y.deadline ? x.deadline < y.deadline : x.sequence < y.sequence;
}

void TimerHeap::place(std::size_t index, std::uint32_t slot) noexcept {
  heap_[index] = slot;
  nodes_[slot].heap_index = static_cast<std::uint32_t>(index);
}

void TimerHeap::sift_up(std::size_t index) noexcept {
  const std::uint32_t slot = heap_[index];
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (!earlier(slot, heap_[parent])) break;
    place(index, heap_[parent]);
    index = parent;
  }
  place(index, slot);
}

void TimerHeap::sift_down(std::size_t index) noexcept {
  const std::uint32_t slot = heap_[index];
  const std::size_t size = heap_.size();
  for (;;) {
    std::size_t child = 2 * index + 1;
    if (child >= size) break;
    if (child + 1 < size && earlier(heap_[child + 1], heap_[child])) ++child;
    if (!earlier(heap_[child], slot)) break;
    place(index, heap_[child]);
    index = child;
  }
  place(index, slot);
}

void TimerHeap::push(std::uint32_t slot) noexcept {
  heap_.push_back(slot);
  sift_up(heap_.size() - 1);
}

void TimerHeap::erase_at(std::size_t index) noexcept {
  const std::uint32_t last = heap_.back();
  heap_.pop_back();
  if (index == heap_.size()) return;
  place(index, last);
  sift_down(index);
  sift_up(nodes_[last].heap_index);
}

void TimerHeap::release(std::uint32_t slot) noexcept {
  Node& n = nodes_[slot];
  n.fn = nullptr;
  if (!n.reserved) --unreserved_in_use_;
  ++n.generation;  // old ids stop matching
  free_.push_back(slot);
}

}  // namespace sockkit::loop
