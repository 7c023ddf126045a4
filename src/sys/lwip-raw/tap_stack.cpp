// SPDX-License-Identifier: MIT
// The TAP netif on the bare-metal stack hosted on Linux: the reader thread
// plays the board's receive interrupt and input hook at once — it takes the
// stack, lets lwIP process the frame, and wakes the calls waiting for it.
#include "sys/lwip/tap_stack.hpp"
#include "netif/ethernet.h"
#include "sys/lwip-raw/raw.hpp"

namespace sockkit::sys::tap_stack {

bool running() noexcept {
  return raw::running();
}

ErrorCode error(int errno_value) noexcept {
  return raw::error(errno_value);
}

netif_input_fn input() noexcept {
  return ethernet_input;
}

void hold_stack_and_run(void (*fn)(void*), void* context) noexcept {
  raw::StackGuard guard;
  fn(context);
}

bool deliver(netif* interface, const void* frame, u16_t size) noexcept {
  raw::StackGuard guard;  // lwIP's allocator too belongs to whoever holds the stack
  pbuf* p = copy_frame(frame, size);
  if (p == nullptr) return false;
  if (interface->input(p, interface) != ERR_OK) {  // ethernet_input: processed now
    pbuf_free(p);
    return false;
  }
  raw::note_activity();
  return true;
}

}  // namespace sockkit::sys::tap_stack
