// SPDX-License-Identifier: MIT
// Answers kept for their TTL (RFC 1035), negative answers too (RFC 2308).
// Bounded: when full, the entry closest to expiring makes room.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sockkit/event_loop.hpp"
#include "sockkit/resolver.hpp"

namespace sockkit::resolve_detail {

struct CachedAnswer {
  std::string name;  // the name asked, lower case
  Family family = Family::none;
  ErrorCode negative{};             // name_not_found or no_address; none: positive
  std::vector<Endpoint> addresses;  // port 0
  std::string canonical_name;
  Endpoint server;
  EventLoop::Clock::time_point expires{};
};

class AnswerCache {
 public:
  explicit AnswerCache(std::size_t capacity) : capacity_(capacity) {}
  /// The live entry for (name, family), or null; expired entries are dropped here.
  const CachedAnswer* find(std::string_view name, Family family, EventLoop::Clock::time_point now);
  void store(CachedAnswer answer, EventLoop::Clock::time_point now);
  void clear() noexcept { entries_.clear(); }
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  std::size_t capacity_;
  std::vector<CachedAnswer> entries_;
};

}  // namespace sockkit::resolve_detail
