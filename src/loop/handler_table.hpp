// SPDX-License-Identifier: MIT
// The loop's handler for each descriptor, in pages of 64 entries. A vector
// would be reallocated as descriptors grow, and the memory each old copy
// touched stays in the process: at 10,000 connections that was 40 bytes of
// RSS per connection for an 8-byte entry. Pages never move; only the small
// page index is reallocated.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace sockkit {
class IoHandler;
}

namespace sockkit::loop {

class HandlerTable {
 public:
  /// The handler of `fd`, or null.
  IoHandler* get(std::size_t fd) const noexcept {
    const std::size_t page = fd / kPage;
    return page < pages_.size() && pages_[page] ? (*pages_[page])[fd % kPage] : nullptr;
  }
  /// Makes room for `fd`; false when memory is out.
  bool reserve(std::size_t fd) noexcept {
    const std::size_t page = fd / kPage;
    if (page >= pages_.size()) pages_.resize(page + 1);
    if (!pages_[page]) pages_[page].reset(new (std::nothrow) Page{});
    return pages_[page] != nullptr;
  }
  /// Sets the handler of `fd`; reserve(fd) must have succeeded.
  void set(std::size_t fd, IoHandler* handler) noexcept {
    (*pages_[fd / kPage])[fd % kPage] = handler;
  }
  /// Forgets the handler of `fd`, if any.
  void clear(std::size_t fd) noexcept {
    const std::size_t page = fd / kPage;
    if (page < pages_.size() && pages_[page]) (*pages_[page])[fd % kPage] = nullptr;
  }

 private:
  static constexpr std::size_t kPage = 64;
  using Page = std::array<IoHandler*, kPage>;
  std::vector<std::unique_ptr<Page>> pages_;
};

}  // namespace sockkit::loop
