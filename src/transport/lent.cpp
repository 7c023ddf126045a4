// SPDX-License-Identifier: MIT
// The lent transport: bytes and connections a completion backend received and
// accepted ahead, taken from the loop's backend instead of the socket.
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
#endif
