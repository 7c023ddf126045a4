// SPDX-License-Identifier: MIT
// The loop's handler for each descriptor, in pages that never move
// (poll/paged_table.hpp says why not a vector).
#pragma once

#include <cstddef>

#include "poll/paged_table.hpp"

namespace sockkit {
class IoHandler;
}

namespace sockkit::loop {

class HandlerTable {
 public:
  /// The handler of `fd`, or null.
  IoHandler* get(std::size_t fd) noexcept {
    IoHandler** entry = table_.find(fd);
    return entry != nullptr ? *entry : nullptr;
  }
  /// Makes room for `fd`; false when memory is out.
  bool reserve(std::size_t fd) noexcept { return table_.reserve(fd) != nullptr; }
  /// Sets the handler of `fd`; reserve(fd) must have succeeded.
  void set(std::size_t fd, IoHandler* handler) noexcept { table_[fd] = handler; }
  /// Forgets the handler of `fd`, if any.
  void clear(std::size_t fd) noexcept {
    if (IoHandler** entry = table_.find(fd)) *entry = nullptr;
  }

 private:
  poll::PagedTable<IoHandler*> table_;
};

}  // namespace sockkit::loop
