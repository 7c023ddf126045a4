// SPDX-License-Identifier: MIT
// The lookups a resolver engine has in flight, by id. A sorted vector, not a
// std::map: ids only grow, so a new lookup goes at the end, and a device links
// no red-black tree for the handful it ever holds at once.
#pragma once

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "sockkit/resolver.hpp"

namespace sockkit::resolve_detail {

template <class Lookup>
class LookupTable {
 public:
  using Entry = std::pair<Resolver::LookupId, std::unique_ptr<Lookup>>;
  using iterator = typename std::vector<Entry>::iterator;

  iterator begin() noexcept { return entries_.begin(); }
  iterator end() noexcept { return entries_.end(); }
  std::size_t size() const noexcept { return entries_.size(); }
  void clear() noexcept { entries_.clear(); }

  /// The entry of `id`, or end().
  iterator find(Resolver::LookupId id) noexcept {
    auto it = position(id);
    return it != entries_.end() && it->first == id ? it : entries_.end();
  }
  /// Adds `lookup` under `id` (new ids are the largest: appended).
  void emplace(Resolver::LookupId id, std::unique_ptr<Lookup> lookup) {
    entries_.emplace(position(id), id, std::move(lookup));
  }
  /// Removes the entry at `it`.
  void erase(iterator it) noexcept { entries_.erase(it); }

 private:
  iterator position(Resolver::LookupId id) noexcept {
    return std::lower_bound(entries_.begin(), entries_.end(), id,
                            [](const Entry& e, Resolver::LookupId key) { return e.first < key; });
  }
  std::vector<Entry> entries_;
};

}  // namespace sockkit::resolve_detail
