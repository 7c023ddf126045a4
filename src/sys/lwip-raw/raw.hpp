// SPDX-License-Identifier: MIT
// The bare-metal stack's shared state: lwIP's raw API (NO_SYS=1) behind a table
// of socket records, so the sys seam keeps the same contract as on the other
// stacks. Only src/sys/lwip-raw sees this.
//
// Received TCP data stays in lwIP's pbufs until it is read, and lwIP's window
// opens (tcp_recved) only as it is read, so a reader that stops stops its peer.
// Every call runs with the stack held (stack_guard): on a board that costs
// nothing, hosted on Linux it is one mutex, released while a call waits.
#pragma once

#include <array>
#include <cerrno>
#include <cstdint>
#include <system_error>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "sys/lwip-raw/requirements.hpp"

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"

#if defined(__linux__)
#define SOCKKIT_RAW_HOSTED 1  // lwIP hosted in a Linux process, whose threads share it
#include <mutex>
#else
#define SOCKKIT_RAW_HOSTED 0
#endif

namespace sockkit::sys::raw {

/// The stack's error numbers: errno values as the C library numbers them.
const ErrorCategory& category() noexcept;
inline ErrorCode error(int value) noexcept {
  return {value, category()};
}
/// The errno value lwIP's sockets layer would give for `err`.
int errno_of(err_t err) noexcept;

enum class Kind : std::uint8_t { free, tcp, listener, udp, waker };

/// A datagram waiting to be read: lwIP's pbuf and where it came from.
struct QueuedDatagram {
  pbuf* packet = nullptr;
  ip_addr_t from{};
  std::uint16_t port = 0;
};
#ifndef SOCKKIT_RAW_DATAGRAM_QUEUE
#define SOCKKIT_RAW_DATAGRAM_QUEUE 8
#endif
/// Datagrams a UDP socket holds unread, like a socket's receive buffer
/// (SOCKKIT_RAW_DATAGRAM_QUEUE in lwipopts.h); past it, arrivals are dropped.
inline constexpr std::size_t kDatagramQueue = SOCKKIT_RAW_DATAGRAM_QUEUE;
// What a socket holds unread is at most the window, and a pbuf chain counts
// its length in 16 bits.
static_assert(TCP_WND <= 0xffff,
              "sockkit's bare-metal stack keeps unread TCP data in one pbuf chain");

#if LWIP_IGMP
#ifndef SOCKKIT_RAW_MEMBERSHIPS
#define SOCKKIT_RAW_MEMBERSHIPS 4
#endif
/// Multicast groups one UDP socket may join (SOCKKIT_RAW_MEMBERSHIPS); each is
/// left when the socket closes, as a socket's memberships are.
inline constexpr std::size_t kMemberships = SOCKKIT_RAW_MEMBERSHIPS;
struct Membership {
  ip4_addr_t group{};
  u8_t netif_index = 0;  // 0: every interface that does IGMP
};
#endif

struct Socket {
  Kind kind = Kind::free;
  bool nonblocking = false;
  bool connecting = false;
  bool connected = false;
  bool peer_closed = false;  // FIN received: reads end after what is queued
  bool read_shut = false;
  bool write_shut = false;
  bool was_refused = false;            // reset while connecting
  volatile bool wake_pending = false;  // a waker's flag (set from another thread or an interrupt)
  int pending_error = 0;               // errno value, read and cleared like SO_ERROR
  int linger_s = -1;
  int receive_timeout_ms = 0;    // 0: blocking calls wait for ever
  int receive_buffer = TCP_WND;  // unread TCP bytes held before lwIP is told to hold the rest
  int send_timeout_ms = 0;
  tcp_pcb* tcp = nullptr;
  udp_pcb* udp = nullptr;
  pbuf* received = nullptr;  // TCP bytes not yet read, in the pbufs lwIP delivered
  std::uint16_t received_offset = 0;
  std::uint16_t lent = 0;  // of those, bytes shown to a handler in place: read, if not consumed yet
  // A listener's connections not yet accepted (a FIFO through `next_pending`).
  int pending_head = -1, pending_tail = -1, next_pending = -1;
  int pending_count = 0;
  int backlog = 0;
  std::array<QueuedDatagram, kDatagramQueue> datagrams{};
  std::uint16_t datagram_head = 0, datagram_count = 0;
#if LWIP_IGMP
  std::array<Membership, kMemberships> memberships{};
  std::uint8_t membership_count = 0;
#endif
};

/// The socket behind a handle, or null (EBADF) for a free or unknown one.
Socket* find(int handle) noexcept;
/// A free record, marked `kind`, or -1 when all are in use.
int allocate(Kind kind) noexcept;
/// Leaves the multicast groups the socket joined.
void leave_groups(Socket& s) noexcept;
/// Frees what the record holds (queued pbufs, group memberships) and marks it free.
void release(int handle) noexcept;
int table_size() noexcept;

/// Whether the stack was started (start_stack) or attached (attach_stack).
bool running() noexcept;

/// Holds the stack for one sys call (hosted: a mutex; a board: nothing).
class StackGuard {
 public:
  StackGuard() noexcept;
  ~StackGuard();
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;
  /// Whether this thread is inside a guard already (lwIP calling back into
  /// sockkit, as its DNS client does): the guard is not taken twice.
  static bool held_here() noexcept;
#if SOCKKIT_RAW_HOSTED
  std::unique_lock<std::mutex>& lock() noexcept {
    return lock_;
  }

 private:
  std::unique_lock<std::mutex> lock_;
#endif
};

/// Runs the stack once: received frames into lwIP, the loopback interface's
/// queue, lwIP's due timeouts. Callbacks mark activity.
void pump() noexcept;
/// Something changed that a waiting call may be waiting for.
void note_activity() noexcept;
/// A mark of the activity so far, taken before looking at the sockets.
std::uint32_t activity_mark() noexcept;
/// Sleeps, with the stack released, until activity after `seen`, an interrupt
/// or `max_ms` (capped by lwIP's next timeout); < 0 waits for ever.
void wait_for_activity(StackGuard& guard, int max_ms, std::uint32_t seen) noexcept;

/// The ready bits (sys::kReadable…) of a socket now.
unsigned readiness(const Socket& s) noexcept;
/// Pumps and waits until `ready(socket)` or `timeout_ms` passes (< 0: for ever,
/// 0: one look). False on timeout.
template <class Ready>
bool wait_until(StackGuard& guard, int handle, Ready ready, int timeout_ms) noexcept;

Result<ip_addr_t> to_address(const Endpoint& ep) noexcept;
Endpoint from_address(const ip_addr_t& address, std::uint16_t port) noexcept;

/// Milliseconds on lwIP's clock (sys_now).
std::uint32_t now_ms() noexcept;

template <class Ready>
bool wait_until(StackGuard& guard, int handle, Ready ready, int timeout_ms) noexcept {
  const std::uint32_t start = now_ms();
  for (;;) {
    const std::uint32_t seen = activity_mark();
    pump();
    Socket* s = find(handle);
    if (s == nullptr || ready(*s)) return true;
    int left = -1;
    if (timeout_ms >= 0) {
      const auto spent = static_cast<int>(now_ms() - start);
      if (spent >= timeout_ms) return false;
      left = timeout_ms - spent;
    }
    wait_for_activity(guard, left, seen);
  }
}

}  // namespace sockkit::sys::raw
