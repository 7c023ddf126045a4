// SPDX-License-Identifier: MIT
// The bare-metal stack's heart: the socket table, holding the stack, running
// it (frames in, loopback, timeouts) and sleeping until something happens.
#include <atomic>
#include <cstring>

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

#if SOCKKIT_RAW_HOSTED
#include <condition_variable>
#endif

#ifndef SOCKKIT_RAW_SOCKETS
// Every PCB lwIP can have, and a few wakers: the table never runs out first.
#define SOCKKIT_RAW_SOCKETS (MEMP_NUM_TCP_PCB + MEMP_NUM_TCP_PCB_LISTEN + MEMP_NUM_UDP_PCB + 4)
#endif

namespace sockkit::sys {
namespace raw {
namespace {

std::array<Socket, SOCKKIT_RAW_SOCKETS> table;
std::atomic<bool> stack_running{false};
BoardHooks board{};
// Bumped by everything that may make a waiting call ready; read with the stack
// held, or from an interrupt on a board (a waker).
std::atomic<std::uint32_t> activity{0};

#if SOCKKIT_RAW_HOSTED
std::mutex stack_mutex;
std::condition_variable activity_seen;
#endif

}  // namespace

Socket* find(int handle) noexcept {
  if (handle < 0 || handle >= static_cast<int>(table.size())) return nullptr;
  Socket& s = table[static_cast<std::size_t>(handle)];
  return s.kind == Kind::free ? nullptr : &s;
}

int allocate(Kind kind) noexcept {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].kind != Kind::free) continue;
    table[i] = Socket{};
    table[i].kind = kind;
    return static_cast<int>(i);
  }
  return -1;
}

void release(int handle) noexcept {
  Socket* s = find(handle);
  if (s == nullptr) return;
  if (s->received != nullptr) pbuf_free(s->received);
  leave_groups(*s);
  for (std::uint8_t i = 0; i < s->datagram_count; ++i)
    pbuf_free(s->datagrams[(s->datagram_head + i) % kDatagramQueue].packet);
  *s = Socket{};
}

int table_size() noexcept {
  return static_cast<int>(table.size());
}

bool running() noexcept {
  return stack_running.load(std::memory_order_acquire);
}

#if SOCKKIT_RAW_HOSTED
namespace {
thread_local bool guard_held = false;  // this thread is inside a StackGuard
}  // namespace

StackGuard::StackGuard() noexcept : lock_(stack_mutex) {
  guard_held = true;
}
StackGuard::~StackGuard() {
  guard_held = false;
}
bool StackGuard::held_here() noexcept {
  return guard_held;
}
#else
StackGuard::StackGuard() noexcept {}
StackGuard::~StackGuard() = default;
bool StackGuard::held_here() noexcept {
  return false;  // one thread; the guard is nothing
}
#endif

std::uint32_t now_ms() noexcept {
  return sys_now();
}

void note_activity() noexcept {
  activity.fetch_add(1, std::memory_order_acq_rel);
#if SOCKKIT_RAW_HOSTED
  activity_seen.notify_all();  // callers hold the stack, so no waiter misses it
#endif
}

// Packets sent to 127.0.0.1 wait in the loopback interface's queue until it is polled.
bool loopback_pending() noexcept {
  netif* n = nullptr;
  NETIF_FOREACH(n) {
    if (n->loop_first != nullptr) return true;
  }
  return false;
}

void pump() noexcept {
  if (board.poll_network != nullptr) board.poll_network(board.context);
  sys_check_timeouts();
  // Each delivery may answer (an ACK, a window update): deliver those too, a
  // bounded number of rounds; what is still queued keeps the caller from sleeping.
  for (int round = 0; round < 8 && loopback_pending(); ++round)
    netif_poll_all();
}

std::uint32_t activity_mark() noexcept {
  return activity.load(std::memory_order_acquire);
}

void wait_for_activity(StackGuard& guard, int max_ms, std::uint32_t seen) noexcept {
  const u32_t lwip_next = sys_timeouts_sleeptime();
  std::uint32_t ms =
      max_ms < 0 ? SYS_TIMEOUTS_SLEEPTIME_INFINITE : static_cast<std::uint32_t>(max_ms);
  if (lwip_next < ms) ms = lwip_next;
  if (activity_mark() != seen || loopback_pending()) return;
#if SOCKKIT_RAW_HOSTED
  auto changed = [seen] { return activity.load(std::memory_order_acquire) != seen; };
  if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
    activity_seen.wait(guard.lock(), changed);
  else
    activity_seen.wait_for(guard.lock(), std::chrono::milliseconds(ms), changed);
#else
  (void)guard;
  // One thread: nothing changes unless an interrupt arrives, which ends the sleep.
  if (board.sleep != nullptr) board.sleep(board.context, ms);
#endif
}

unsigned readiness(const Socket& s) noexcept {
  unsigned ready = 0;
  switch (s.kind) {
    case Kind::free:
      return kInvalid;
    case Kind::waker:
      return s.wake_pending ? kReadable : 0u;
    case Kind::listener:
      return s.pending_count > 0 ? kReadable : 0u;
    case Kind::udp:
      return (s.datagram_count > 0 ? kReadable : 0u) | kWritable;
    case Kind::tcp:
      break;
  }
  if (s.pending_error != 0) ready |= kError | kReadable | kWritable;
  if (s.received != nullptr || s.peer_closed) ready |= kReadable;
  if (s.tcp == nullptr && !s.connecting && (s.connected || s.pending_error != 0))
    ready |= kHangup | kReadable;  // reset or aborted: nothing more either way
  if (s.peer_closed && s.write_shut) ready |= kHangup;
  if (s.connected && s.tcp != nullptr && !s.write_shut && tcp_sndbuf(s.tcp) > 0 &&
      tcp_sndqueuelen(s.tcp) < TCP_SND_QUEUELEN)
    ready |= kWritable;
  if (s.connected && (s.tcp == nullptr || s.write_shut)) ready |= kWritable;  // writes fail at once
  return ready;
}

Result<ip_addr_t> to_address(const Endpoint& ep) noexcept {
  if (ep.family() != Family::ipv4) return error(EAFNOSUPPORT);
  const auto b = ep.address_bytes();
  ip_addr_t a;
  IP_ADDR4(&a, b[0], b[1], b[2], b[3]);
  return a;
}

Endpoint from_address(const ip_addr_t& address, std::uint16_t port) noexcept {
  const u32_t v = ip4_addr_get_u32(ip_2_ip4(&address));  // network order in memory
  std::array<std::uint8_t, 4> octets{};
  std::memcpy(octets.data(), &v, 4);
  return Endpoint::ipv4(octets, port);
}

}  // namespace raw

void set_board_hooks(const BoardHooks& hooks) noexcept {
  raw::StackGuard guard;
  raw::board = hooks;
}

Status start_stack() noexcept {
  raw::StackGuard guard;
  if (!raw::running()) {
    lwip_init();  // with LWIP_HAVE_LOOPIF, 127.0.0.1 exists from here on
    raw::stack_running.store(true, std::memory_order_release);
  }
  return {};
}

Status attach_stack() noexcept {
  // The application called lwip_init() and added its interfaces itself.
  raw::stack_running.store(true, std::memory_order_release);
  return {};
}

std::uintptr_t current_thread_token() noexcept {
#if SOCKKIT_RAW_HOSTED
  thread_local const char marker = 0;  // a distinct address per thread
  return reinterpret_cast<std::uintptr_t>(&marker);
#else
  return 1;  // one thread: the main loop
#endif
}

Result<std::uint32_t> interface_index(std::string_view) noexcept {
  return failure::unknown_interface;  // no scoped IPv6 here
}

std::uint8_t on_link_prefix(const Endpoint& local) noexcept {
  if (local.family() != Family::ipv4) return 0;
  std::uint32_t want = 0;
  std::memcpy(&want, local.address_bytes().data(), 4);
  raw::StackGuard guard;
  netif* n = nullptr;
  NETIF_FOREACH(n) {
    if (ip4_addr_get_u32(netif_ip4_addr(n)) == want)
      return static_cast<std::uint8_t>(__builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n))));
  }
  return 0;
}

}  // namespace sockkit::sys
