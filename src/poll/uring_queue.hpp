// SPDX-License-Identifier: MIT
// Completions waiting for their descriptor's owner: one first-in first-out
// queue per descriptor, all kept in one pool of entries linked by index, so
// once the pool has grown to the busiest moment's size queuing allocates
// nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace sockkit::poll {

/// One completion of a multishot request.
struct UringCompletion {
  std::int32_t result = 0;   // bytes received (0: EOF), an accepted descriptor, or -errno
  std::uint32_t offset = 0;  // where in the buffer the bytes begin
  std::uint16_t buffer = 0;  // the provided buffer the bytes are in
  bool accepted = false;     // result is a descriptor accepted on a listener
  bool holds_buffer() const noexcept { return !accepted && result > 0; }
  bool holds_descriptor() const noexcept { return accepted && result >= 0; }
};

class UringQueues {
 public:
  /// One descriptor's queue: a ring of entries linked from its newest (whose
  /// link names the oldest), so one index per descriptor is all it takes.
  struct Queue {
    std::uint32_t tail = 0;  // newest entry's index + 1; 0 = empty
    bool empty() const noexcept { return tail == 0; }
  };

  /// Appends `c`; false when memory is out.
  bool push(Queue& q, const UringCompletion& c) noexcept {
    std::uint32_t index;
    if (free_ != 0) {
      index = free_;
      free_ = entries_[index - 1].next;
    } else {
      if (entries_.size() >= entries_.max_size() - 1) return false;
      entries_.push_back({});
      index = static_cast<std::uint32_t>(entries_.size());
    }
    if (q.tail != 0) {
      Entry& newest = entries_[q.tail - 1];
      entries_[index - 1] = {c, newest.next};
      newest.next = index;
    } else {
      entries_[index - 1] = {c, index};
    }
    q.tail = index;
    return true;
  }

  /// The oldest completion of a queue that is not empty.
  UringCompletion& front(const Queue& q) noexcept { return entries_[head(q) - 1].completion; }

  /// Bytes of a queue's oldest completion (which received some) and of those
  /// right behind it that continue it in the same buffer: one span to read.
  std::size_t contiguous_bytes(const Queue& q) const noexcept {
    const std::uint32_t first_index = head(q);
    const UringCompletion& first = entries_[first_index - 1].completion;
    auto bytes = static_cast<std::size_t>(first.result);
    std::uint32_t end = first.offset + static_cast<std::uint32_t>(first.result);
    for (std::uint32_t i = entries_[first_index - 1].next; i != first_index;
         i = entries_[i - 1].next) {
      const UringCompletion& c = entries_[i - 1].completion;
      if (!c.holds_buffer() || c.buffer != first.buffer || c.offset != end) break;
      bytes += static_cast<std::size_t>(c.result);
      end += static_cast<std::uint32_t>(c.result);
    }
    return bytes;
  }

  /// Removes the oldest completion of a queue that is not empty and returns it.
  UringCompletion pop(Queue& q) noexcept {
    const std::uint32_t index = head(q);
    Entry& e = entries_[index - 1];
    const UringCompletion c = e.completion;
    if (index == q.tail) {
      q.tail = 0;
    } else {
      entries_[q.tail - 1].next = e.next;
    }
    e = {UringCompletion{}, free_};
    free_ = index;
    return c;
  }

  /// Calls `fn` with every completion still queued (free entries hold none).
  template <typename Fn>
  void for_each_queued(Fn fn) const {
    for (const Entry& e : entries_)
      fn(e.completion);
  }

 private:
  struct Entry {
    UringCompletion completion;
    std::uint32_t next = 0;  // entry index + 1: the next newer in its queue (the
                             // newest names the oldest), or the next free one
  };
  std::uint32_t head(const Queue& q) const noexcept { return entries_[q.tail - 1].next; }
  std::vector<Entry> entries_;
  std::uint32_t free_ = 0;
};

}  // namespace sockkit::poll
