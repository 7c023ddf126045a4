// SPDX-License-Identifier: MIT
#include "resolve/cache.hpp"

#include <algorithm>

#include "resolve/dns_message.hpp"

namespace sockkit::resolve_detail {

const CachedAnswer* AnswerCache::find(std::string_view name, Family family,
                                      EventLoop::Clock::time_point now) {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    CachedAnswer& e = entries_[i];
    if (e.family != family || !dns::same_name(e.name, name)) continue;
    if (e.expires > now) return &e;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
    return nullptr;
  }
  return nullptr;
}

void AnswerCache::store(CachedAnswer answer, EventLoop::Clock::time_point now) {
  if (capacity_ == 0 || answer.expires <= now) return;  // TTL 0: use once, keep never
  for (char& c : answer.name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  std::erase_if(entries_, [&](const CachedAnswer& e) {
    return e.expires <= now || (e.family == answer.family && e.name == answer.name);
  });
  if (entries_.size() >= capacity_) {
    auto soonest =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const auto& a, const auto& b) { return a.expires < b.expires; });
    entries_.erase(soonest);
  }
  entries_.push_back(std::move(answer));
}

}  // namespace sockkit::resolve_detail
