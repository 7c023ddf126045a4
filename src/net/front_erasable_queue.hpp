// SPDX-License-Identifier: MIT
// A queue for the outboxes (a reconnecting client's, the MQTT client's):
// elements mostly leave oldest first, so erasing the first one only moves a
// start index; the space before it is given back once it is half of the whole.
// One vector and an index instead of a std::deque: a device links no deque
// code, and indices and iterators work as on any random-access sequence.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace sockkit::net {

template <typename T>
class FrontErasableQueue {
 public:
  using iterator = T*;
  using const_iterator = const T*;

  iterator begin() noexcept { return items_.data() + head_; }
  iterator end() noexcept { return items_.data() + items_.size(); }
  const_iterator begin() const noexcept { return items_.data() + head_; }
  const_iterator end() const noexcept { return items_.data() + items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }
  bool empty() const noexcept { return size() == 0; }
  T& operator[](std::size_t i) noexcept { return items_[head_ + i]; }
  const T& operator[](std::size_t i) const noexcept { return items_[head_ + i]; }

  /// Appends `item`; every iterator and reference may move.
  void push_back(T item) { items_.push_back(std::move(item)); }

  /// Removes the element at `at`; those after it keep their order and move
  /// down one index.
  void erase(iterator at) {
    if (at != begin()) {
      items_.erase(items_.begin() + (at - items_.data()));
      return;
    }
    *at = T{};  // its memory goes now, not at the next compaction
    ++head_;
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= kCompactAfter && 2 * head_ >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

 private:
  static constexpr std::size_t kCompactAfter = 16;
  std::vector<T> items_;
  std::size_t head_ = 0;  // items_[0, head_) are erased
};

}  // namespace sockkit::net
