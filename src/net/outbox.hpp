// SPDX-License-Identifier: MIT
// A byte-bounded queue of whole messages, for a client that is disconnected.
// It never drops silently: push() says what it dropped.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "net/front_erasable_queue.hpp"
#include "sockkit/reconnecting_client.hpp"

namespace sockkit::net {

class Outbox {
 public:
  struct Dropped {
    std::size_t messages = 0;
    std::size_t bytes = 0;
    bool refused_new = false;  ///< The message given to push() is among the dropped.
  };
  Outbox(std::size_t limit, OutboxOverflow overflow) noexcept
      : limit_(limit), overflow_(overflow) {}

  Dropped push(std::span<const std::byte> message);
  bool empty() const noexcept { return queue_.empty(); }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t messages() const noexcept { return queue_.size(); }
  std::span<const std::byte> front() const noexcept { return queue_[0]; }
  void pop() noexcept;

 private:
  FrontErasableQueue<std::vector<std::byte>> queue_;
  std::size_t bytes_ = 0;
  std::size_t limit_;
  OutboxOverflow overflow_;
};

}  // namespace sockkit::net
