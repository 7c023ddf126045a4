// SPDX-License-Identifier: MIT
// The loop's handler for each descriptor, in pages that never move
// (poll/paged_table.hpp says why not a vector).
//
// An entry is one word: an IoHandler, or an object of the library's own
// called through a plain function. The second kind is for objects there are
// thousands of (connections): a vtable pointer each would be 8 bytes per
// connection for one virtual function. The function is named by the
// entry's low bits, an index into the table's few functions; the objects are
// aligned as pointers are, so those bits are free (3 functions on a 32-bit
// device, 7 on a 64-bit machine).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "loop/loop_access.hpp"
#include "poll/paged_table.hpp"
#include "sockkit/event_loop.hpp"

namespace sockkit::loop {

class HandlerTable {
 public:
  /// Calls the handler of `fd` with `events`, if it has one.
  void dispatch(std::size_t fd, unsigned events) noexcept {
    const std::uintptr_t* entry = table_.find(fd);
    if (entry == nullptr || *entry == 0) return;
    const std::uintptr_t bits = *entry;
    if (const std::uintptr_t tag = bits & kTagMask) {
      functions_[tag - 1](reinterpret_cast<void*>(bits & ~kTagMask), events);
    } else {
      reinterpret_cast<IoHandler*>(bits)->on_io(events);
    }
  }
  /// Makes room for `fd`; false when memory is out.
  bool reserve(std::size_t fd) noexcept { return table_.reserve(fd) != nullptr; }
  /// Sets the handler of `fd`; reserve(fd) must have succeeded.
  void set(std::size_t fd, IoHandler* handler) noexcept {
    table_[fd] = reinterpret_cast<std::uintptr_t>(handler);
  }
  /// The entry that calls `fn(object, events)`, or 0 when the table already
  /// knows as many functions as it can name or `object` is not aligned as a
  /// pointer is.
  std::uintptr_t entry_for(void* object, IoFunction fn) noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(object);
    if (object == nullptr || (address & kTagMask) != 0) return 0;
    for (std::size_t i = 0; i < functions_.size(); ++i) {
      if (functions_[i] == nullptr) functions_[i] = fn;
      if (functions_[i] == fn) return address | (i + 1);
    }
    return 0;
  }
  /// Sets an entry entry_for() made; reserve(fd) must have succeeded.
  void set(std::size_t fd, std::uintptr_t entry) noexcept { table_[fd] = entry; }
  /// Forgets the handler of `fd`, if any.
  void clear(std::size_t fd) noexcept {
    if (std::uintptr_t* entry = table_.find(fd)) *entry = 0;
  }

 private:
  static constexpr std::uintptr_t kTagMask = alignof(void*) - 1;
  poll::PagedTable<std::uintptr_t> table_;
  std::array<IoFunction, kTagMask> functions_{};
};

}  // namespace sockkit::loop
