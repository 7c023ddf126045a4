// SPDX-License-Identifier: MIT
// Entries indexed by descriptor, in pages that never move. A vector indexed
// by descriptor is reallocated as descriptors grow, and the memory each old
// copy touched stays in the process: at 10,000 connections that was 40 bytes
// of RSS per connection for the loop's 8-byte handler entry. Pages are made
// once, when a descriptor first needs one; only the small page index grows.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace sockkit::poll {

template <class Entry, std::size_t kPage = 64>
class PagedTable {
 public:
  /// The entry at `index`, or null when no entry near it was ever reserved.
  Entry* find(std::size_t index) noexcept {
    const std::size_t page = index / kPage;
    return page < pages_.size() && pages_[page] ? &(*pages_[page])[index % kPage] : nullptr;
  }
  /// The entry at `index`, its page made (entries value-initialised) when
  /// needed; null when memory is out.
  Entry* reserve(std::size_t index) noexcept {
    const std::size_t page = index / kPage;
    if (page >= pages_.size()) pages_.resize(page + 1);
    if (!pages_[page]) pages_[page].reset(new (std::nothrow) Page{});
    return pages_[page] ? &(*pages_[page])[index % kPage] : nullptr;
  }
  /// The entry at `index`, which reserve() made.
  Entry& operator[](std::size_t index) noexcept { return (*pages_[index / kPage])[index % kPage]; }

 private:
  using Page = std::array<Entry, kPage>;
  std::vector<std::unique_ptr<Page>> pages_;
};

}  // namespace sockkit::poll
