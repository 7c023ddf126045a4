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

/// Deletes `impl` once the loop has no callback on the stack and `impl->busy()`
/// (one of its own functions running the loop) is false.
template <class Impl>
void delete_when_idle(EventLoop& loop, Impl* impl) {
  if (impl->busy()) return loop.defer([&loop, impl] { delete_when_idle(loop, impl); });
  delete impl;
}

/// `impl->retire()` now; the delete when nothing can be using it.
template <class Impl>
void dispose(EventLoop& loop, std::unique_ptr<Impl> impl) {
  if (!impl) return;
  impl->retire();
  if (!loop.in_callback() && !impl->busy()) return;  // nothing on the stack: free now
  Impl* raw = impl.release();
  loop.defer([&loop, raw] { delete_when_idle(loop, raw); });
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
