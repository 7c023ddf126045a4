// SPDX-License-Identifier: MIT
// The TAP netif on lwIP's sockets stack: frames go through the tcpip thread's
// queue (tcpip_input is thread-safe), interfaces are added under its core lock.
#include "sys/lwip/tap_stack.hpp"
#include "lwip/tcpip.h"
#include "sys/lwip/lwip.hpp"

namespace sockkit::sys::tap_stack {

bool running() noexcept {
  return sys::lwip::running();
}

ErrorCode error(int errno_value) noexcept {
  return sys::lwip::error(errno_value);
}

netif_input_fn input() noexcept {
  return tcpip_input;
}

void hold_stack_and_run(void (*fn)(void*), void* context) noexcept {
  LOCK_TCPIP_CORE();
  fn(context);
  UNLOCK_TCPIP_CORE();
}

bool deliver(netif* interface, const void* frame, u16_t size) noexcept {
  pbuf* p = copy_frame(frame, size);  // lwIP's allocator is thread-safe here
  if (p == nullptr) return false;
  if (interface->input(p, interface) == ERR_OK) return true;  // queued for the tcpip thread
  pbuf_free(p);
  return false;
}

}  // namespace sockkit::sys::tap_stack
