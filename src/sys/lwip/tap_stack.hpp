// SPDX-License-Identifier: MIT
// What the TAP netif (tap_netif.cpp) needs from the lwIP stack it feeds: lwIP's
// sockets stack (sys/lwip: a tcpip thread takes frames from a queue) or the
// bare-metal stack hosted on Linux (sys/lwip-raw: frames enter with the stack
// held, and waiting calls are woken). Each stack's tap_stack.cpp defines these.
#pragma once

#include "sockkit/error.hpp"

#include "lwip/netif.h"
#include "lwip/pbuf.h"

namespace sockkit::sys::tap_stack {

/// Whether lwIP was started, so an interface may be added.
bool running() noexcept;
/// The error code of `errno_value` as this stack numbers it.
ErrorCode error(int errno_value) noexcept;
/// The input function an interface is added with.
netif_input_fn input() noexcept;
/// Runs `fn` with the stack held, as netif_add() and netif_set_up() need.
void hold_stack_and_run(void (*fn)(void*), void* context) noexcept;
template <class Fn>
void with_stack_held(Fn fn) noexcept {
  hold_stack_and_run([](void* f) { (*static_cast<Fn*>(f))(); }, &fn);
}
/// From the reader thread: copies a received frame into a pbuf and hands it
/// to the stack. False when it was dropped (no memory, or lwIP refused it).
bool deliver(netif* interface, const void* frame, u16_t size) noexcept;

/// The frame in a pbuf of its own, or null without memory (with the stack's
/// allocator held as it requires).
pbuf* copy_frame(const void* frame, u16_t size) noexcept;

}  // namespace sockkit::sys::tap_stack
