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

/// How the loop calls one of the library's own objects for a descriptor.
using IoFunction = void (*)(void* object, unsigned events) noexcept;

struct LoopAccess {
  /// The object that stays put for the loop's whole life: what is made on a
  /// loop keeps a reference to it, so moving the user's EventLoop breaks nothing.
  SOCKKIT_INTERNAL static EventLoop& home(EventLoop& loop) noexcept;
  /// The loop's backend, for the transport's lent buffers (a completion backend
  /// receives and accepts for a socket itself).
  SOCKKIT_INTERNAL static poll::Poller& poller(EventLoop& loop) noexcept;
  /// EventLoop::watch() for an object without a vtable, aligned as a pointer: the
  /// loop calls `fn(object, events)`. Objects there are thousands of save
  /// their vtable pointer this way. Fails with failure::limit_reached when the
  /// loop already calls more distinct functions than it can name.
  SOCKKIT_INTERNAL static Status watch(EventLoop& loop, NativeHandle h, unsigned interest,
                                       void* object, IoFunction fn) noexcept;
};

}  // namespace loop
}  // namespace sockkit
