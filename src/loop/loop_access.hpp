// SPDX-License-Identifier: MIT
// What the library's own layers need of a loop beyond its public interface.
#pragma once

#include "sockkit/event_loop.hpp"

namespace sockkit {
namespace poll {
class Poller;
}  // namespace poll

namespace loop {

// Hidden explicitly: the class is first named in a public header, which
// exports what it declares.
#define SOCKKIT_INTERNAL __attribute__((visibility("hidden")))

struct LoopAccess {
  /// The object that stays put for the loop's whole life: what is made on a
  /// loop keeps a reference to it, so moving the user's EventLoop breaks nothing.
  SOCKKIT_INTERNAL static EventLoop& home(EventLoop& loop) noexcept;
  /// The loop's backend, for the transport's lent buffers (a completion backend
  /// receives and accepts for a socket itself).
  SOCKKIT_INTERNAL static poll::Poller& poller(EventLoop& loop) noexcept;
};

}  // namespace loop
}  // namespace sockkit
