// SPDX-License-Identifier: MIT
// Outbox: whole messages in order, bounded in bytes, drops counted.
#include "net/outbox.hpp"

namespace sockkit::net {

Outbox::Dropped Outbox::push(std::span<const std::byte> message) {
  Dropped dropped;
  const bool fits_at_all = message.size() <= limit_;
  if (!fits_at_all ||
      (overflow_ == OutboxOverflow::drop_newest && bytes_ + message.size() > limit_)) {
    dropped = {1, message.size(), true};
    return dropped;
  }
  while (bytes_ + message.size() > limit_) {  // drop_oldest: make room
    ++dropped.messages;
    dropped.bytes += queue_[0].size();
    pop();
  }
  queue_.push_back({message.begin(), message.end()});
  bytes_ += message.size();
  return dropped;
}

void Outbox::pop() noexcept {
  bytes_ -= queue_[0].size();
  queue_.erase(queue_.begin());
}

}  // namespace sockkit::net
