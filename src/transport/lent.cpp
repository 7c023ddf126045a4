// SPDX-License-Identifier: MIT
// The lent transport: bytes and connections a completion backend received and
// accepted ahead, taken from the loop's backend instead of the socket; or the
// bytes a stack keeps itself, taken from the stack.
#include "transport/lent.hpp"
#include "loop/loop_access.hpp"
#include "poll/poller.hpp"

#if SOCKKIT_HAVE_URING
namespace sockkit::transport {

bool lend_receives(EventLoop& loop, NativeHandle socket) noexcept {
  return loop::LoopAccess::poller(loop).receive_for(socket);
}

Result<std::span<const std::byte>> lent(EventLoop& loop, NativeHandle socket) noexcept {
  return loop::LoopAccess::poller(loop).received(socket);
}

void consume_lent(EventLoop& loop, NativeHandle socket, std::size_t count) noexcept {
  loop::LoopAccess::poller(loop).consume(socket, count);
}

bool lend_accepts(EventLoop& loop, NativeHandle listener) noexcept {
  return loop::LoopAccess::poller(loop).accept_for(listener);
}

Result<NativeHandle> lent_accept(EventLoop& loop, NativeHandle listener) noexcept {
  return loop::LoopAccess::poller(loop).accepted(listener);
}

}  // namespace sockkit::transport
#elif SOCKKIT_STACK_LENDS
#include "sys/sys.hpp"

namespace sockkit::transport {

// The stack lends every plain stream's received bytes, on any backend;
// connections are accepted as usual.
bool lend_receives(EventLoop&, NativeHandle) noexcept {
  return true;
}

Result<std::span<const std::byte>> lent(EventLoop&, NativeHandle socket) noexcept {
  return sys::received(socket);
}

void consume_lent(EventLoop&, NativeHandle socket, std::size_t count) noexcept {
  sys::consume_received(socket, count);
}

bool lend_accepts(EventLoop&, NativeHandle) noexcept {
  return false;
}

Result<NativeHandle> lent_accept(EventLoop&, NativeHandle) noexcept {
  return make_error(std::errc::resource_unavailable_try_again);
}

}  // namespace sockkit::transport
#endif
