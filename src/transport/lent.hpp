// SPDX-License-Identifier: MIT
// The lent transport: a completion backend (io_uring) receives and accepts
// for a socket itself, or the stack keeps what it received in its own buffers
// (lwIP's raw API: its pbufs); either way the bytes stay there until consumed,
// and a connection's handler reads them in place. Readiness backends on other
// stacks decline, and the socket is read through transport.hpp. A build with
// neither has none of this: kLends is false and every path behind it is
// compiled out (the flag that marks a lent connection is 0 then, so the read
// path carries no branch for it).
#pragma once

#include <cstddef>
#include <span>

#include "sockkit/event_loop.hpp"
#include "sockkit/result.hpp"

#ifndef SOCKKIT_HAVE_URING
#define SOCKKIT_HAVE_URING 0
#endif
#ifndef SOCKKIT_STACK_LENDS
#define SOCKKIT_STACK_LENDS 0  // the stack keeps received data (SOCKKIT_STACK=lwip-raw)
#endif

namespace sockkit::transport {

/// A backend or a stack that lends buffers is in this build.
inline constexpr bool kLends = SOCKKIT_HAVE_URING != 0 || SOCKKIT_STACK_LENDS != 0;

#if SOCKKIT_HAVE_URING || SOCKKIT_STACK_LENDS
/// Makes the loop's backend receive for connected stream `socket` (watched
/// already). True if it will; lent() then replaces receive().
bool lend_receives(EventLoop& loop, NativeHandle socket) noexcept;
/// The oldest bytes received for `socket`, valid until consume_lent(): empty at
/// the peer's EOF, would_block when nothing has come, else the socket's error.
Result<std::span<const std::byte>> lent(EventLoop& loop, NativeHandle socket) noexcept;
/// Gives back the first `count` bytes of what lent() showed.
void consume_lent(EventLoop& loop, NativeHandle socket, std::size_t count) noexcept;
/// Makes the loop's backend accept on `listener` (watched already). True if it will.
bool lend_accepts(EventLoop& loop, NativeHandle listener) noexcept;
/// The next connection the backend accepted on `listener` (non-blocking,
/// close-on-exec, now the caller's), or would_block when none is waiting.
Result<NativeHandle> lent_accept(EventLoop& loop, NativeHandle listener) noexcept;
#else
inline bool lend_receives(EventLoop&, NativeHandle) noexcept {
  return false;
}
inline Result<std::span<const std::byte>> lent(EventLoop&, NativeHandle) noexcept {
  return make_error(std::errc::resource_unavailable_try_again);
}
inline void consume_lent(EventLoop&, NativeHandle, std::size_t) noexcept {}
inline bool lend_accepts(EventLoop&, NativeHandle) noexcept {
  return false;
}
inline Result<NativeHandle> lent_accept(EventLoop&, NativeHandle) noexcept {
  return make_error(std::errc::resource_unavailable_try_again);
}
#endif

}  // namespace sockkit::transport
