// SPDX-License-Identifier: MIT
// Destroying a Server, Client or ReconnectingClient from inside one of its own
// callbacks: the object is retired at once (connections closed, timers
// cancelled, nothing calls back any more) and its memory is freed once no
// callback is on the stack, as libuv's uv_close does. Frames still running
// inside it find their state intact and unwind.
#pragma once

#include <memory>
#include <utility>

#include "sockkit/event_loop.hpp"

namespace sockkit::net {

/// `impl->retire()` now; the delete in the loop's closing phase, once no
/// callback is on the stack (at once when none is).
template <class Impl>
void dispose(EventLoop& loop, std::unique_ptr<Impl> impl) {
  if (!impl) return;
  impl->retire();
  if (!loop.in_callback()) return;  // nothing on the stack: free now
  loop.defer([raw = impl.release()] { delete raw; });
}

/// Move-assignment of a facade (Server, Client, …): what `self` held is disposed
/// of as its destructor would, then `self` takes over `other`.
template <class Facade>
Facade& move_assign(Facade& self, Facade&& other) noexcept {
  if (&self != &other) {
    Facade old(std::move(self));  // destroyed at the end of this scope
    std::destroy_at(&self);       // empty now: frees nothing
    std::construct_at(&self, std::move(other));
  }
  return self;
}

}  // namespace sockkit::net
