// SPDX-License-Identifier: MIT
// The loop's cross-thread wake-up on lwIP. lwIP has no eventfd or pipe and
// lwip_poll cannot wait on kernel descriptors, so the loop waits on a UDP
// socket bound to 127.0.0.1 and a wake-up is a datagram sent to it.
//
// The datagram is not sent with lwip_send: that takes lwIP's core lock, and
// post() is called from code that already holds it — tcpip_callback functions
// and netif status and link callbacks on the tcpip thread, driver threads
// inside LOCK_TCPIP_CORE — where it would deadlock. Instead wake() queues a
// preallocated message to the tcpip thread (never blocking, never taking the
// lock), and the tcpip thread sends the datagram through the raw UDP API.
#include <atomic>
#include <new>

#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace {

struct WakeState {
  udp_pcb* sender = nullptr;              // used on the tcpip thread only
  tcpip_callback_msg* message = nullptr;  // queued by wake(); never allocated there
  ip_addr_t to{};
  u16_t port = 0;
  // True from a queued message until the tcpip thread takes it: one message in
  // flight per waker, so the same message is never queued twice.
  std::atomic<bool> queued{false};
};

void send_wake_datagram(void* arg) {  // on the tcpip thread, core lock held
  auto* state = static_cast<WakeState*>(arg);
  state->queued.store(false, std::memory_order_release);
  pbuf* p = pbuf_alloc(PBUF_TRANSPORT, 1, PBUF_RAM);
  if (p == nullptr) return;  // out of pbufs: the loop's next event or timer sees the posted work
  static_cast<u8_t*>(p->payload)[0] = 1;
  (void)udp_sendto(state->sender, p, &state->to, state->port);
  pbuf_free(p);
}

struct CoreLock {
  CoreLock() { LOCK_TCPIP_CORE(); }
  ~CoreLock() { UNLOCK_TCPIP_CORE(); }
  CoreLock(const CoreLock&) = delete;
  CoreLock& operator=(const CoreLock&) = delete;
};

void destroy_on_tcpip_thread(void* arg) {
  auto* state = static_cast<WakeState*>(arg);
  if (state->sender != nullptr) udp_remove(state->sender);
  if (state->message != nullptr) tcpip_callbackmsg_delete(state->message);
  delete state;
}

}  // namespace

Result<Waker> open_waker() noexcept {
  auto rx = open(Family::ipv4, SocketType::datagram);
  if (!rx) return rx.error();
  Waker w{*rx, NativeHandle{}, nullptr};
  auto fail = [&](ErrorCode ec) -> Result<Waker> {
    close(w);
    return ec;
  };
  if (auto st = bind(*rx, Endpoint::loopback_v4(0)); !st) return fail(st.error());
  if (auto st = set_nonblocking(*rx, true); !st) return fail(st.error());
  auto at = local_endpoint(*rx);
  if (!at) return fail(at.error());
  auto* state = new (std::nothrow) WakeState;
  if (state == nullptr) return fail(make_error(std::errc::not_enough_memory));
  w.stack_state = state;
  state->port = at->port();
  ip_addr_set_loopback(false, &state->to);
  state->message = tcpip_callbackmsg_new(send_wake_datagram, state);
  {
    CoreLock lock;
    state->sender = udp_new();
  }
  if (state->message == nullptr || state->sender == nullptr)
    return fail(make_error(std::errc::no_buffer_space));
  return w;
}

void wake(const Waker& waker) noexcept {
  auto* state = static_cast<WakeState*>(waker.stack_state);
  if (state == nullptr || state->queued.exchange(true, std::memory_order_acq_rel)) return;
  // The tcpip mailbox is full only for a moment on another thread; on the
  // tcpip thread itself it cannot drain, so the retries are bounded.
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (tcpip_callbackmsg_trycallback(state->message) == ERR_OK) return;
    sys_msleep(1);
  }
  state->queued.store(false, std::memory_order_release);
}

void drain(const Waker& waker) noexcept {
  char buf[64];
  while (lwip_recv(waker.read_end.value, buf, sizeof buf, 0) > 0) {
  }
}

void close(Waker& waker) noexcept {
  if (waker.read_end.valid()) lwip_close(waker.read_end.value);
  if (auto* state = static_cast<WakeState*>(waker.stack_state)) {
    // Behind any wake message still in the tcpip mailbox (it is first in, first
    // out), so that message never runs on freed state.
    if (tcpip_callback(destroy_on_tcpip_thread, state) != ERR_OK) {
      // No memory for the message: free it here unless a wake-up is still in
      // the mailbox; then the few bytes are left rather than freed under it.
      CoreLock lock;
      if (!state->queued.load(std::memory_order_acquire)) destroy_on_tcpip_thread(state);
    }
  }
  waker = Waker{};
}

}  // namespace sockkit::sys
