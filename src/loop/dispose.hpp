// SPDX-License-Identifier: MIT
// Destroying what lives on a loop from inside one of its own callbacks: the
// object is retired at once (sockets closed, timers and soon() work
// cancelled, nothing calls back any more) and its memory is freed in the
// loop's closing phase, once no callback is on the stack, as libuv's uv_close
// does. Frames still running inside it find their state intact and unwind.
#pragma once

#include <memory>
#include <utility>

#include "sockkit/event_loop.hpp"

namespace sockkit::loop {

/// Frees `p` in the loop's closing phase (at once when no callback is on the
/// stack). `p` must call nothing back any more.
template <class T>
void free_when_unwound(EventLoop& loop, std::unique_ptr<T> p) {
  if (!p || !loop.in_callback()) return;  // nothing on the stack: freed now
  loop.defer([raw = p.release()] { delete raw; });
}

/// `impl->retire()` now; the delete as free_when_unwound().
template <class Impl>
void dispose(EventLoop& loop, std::unique_ptr<Impl> impl) {
  if (!impl) return;
  impl->retire();
  free_when_unwound(loop, std::move(impl));
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

}  // namespace sockkit::loop
