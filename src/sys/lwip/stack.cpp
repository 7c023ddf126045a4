// SPDX-License-Identifier: MIT
// Starting lwIP, and Endpoint <-> lwIP socket addresses.
#include <atomic>
#include <cstring>

#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace lwip {

namespace {
std::atomic<bool> stack_running{false};
}  // namespace

bool running() noexcept {
  return stack_running.load(std::memory_order_acquire);
}

}  // namespace lwip

Status start_stack() noexcept {
  // Once per process, even with racing threads, and with no thread library
  // (std::call_once does not exist on bare-metal newlib): a function-local static.
  static const bool started = [] {
    if (lwip::running()) return true;  // the application attached its own
    sys_sem_t done;
    if (sys_sem_new(&done, 0) != ERR_OK) return false;
    // LWIP_HAVE_LOOPIF: 127.0.0.1 exists as soon as tcpip_init is done.
    tcpip_init([](void* sem) { sys_sem_signal(static_cast<sys_sem_t*>(sem)); }, &done);
    sys_sem_wait(&done);
    sys_sem_free(&done);
    return true;
  }();
  if (!started) return lwip::error(ENOMEM);
  lwip::stack_running.store(true, std::memory_order_release);
  return {};
}

Status attach_stack() noexcept {
  // tcpip_init() ran in the application; nothing in lwIP can tell, so it is believed.
  lwip::stack_running.store(true, std::memory_order_release);
  return {};
}

void set_board_hooks(const BoardHooks&) noexcept {}  // lwIP's tcpip thread runs the stack

std::uintptr_t current_thread_token() noexcept {
  return reinterpret_cast<std::uintptr_t>(SOCKKIT_CURRENT_TASK());
}

namespace lwip {

Result<sockaddr_in> to_sockaddr(const Endpoint& ep) noexcept {
  if (ep.family() != Family::ipv4) return error(EAFNOSUPPORT);  // IPv6 and Unix are off on lwIP
  sockaddr_in sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sin_len = sizeof sa;
  sa.sin_family = AF_INET;
  sa.sin_port = lwip_htons(ep.port());
  std::memcpy(&sa.sin_addr, ep.address_bytes().data(), 4);
  return sa;
}

Endpoint from_sockaddr(const sockaddr_in& sa) noexcept {
  std::array<std::uint8_t, 4> octets{};
  std::memcpy(octets.data(), &sa.sin_addr, 4);
  return Endpoint::ipv4(octets, lwip_ntohs(sa.sin_port));
}

}  // namespace lwip

Result<std::uint32_t> interface_index(std::string_view) noexcept {
  return failure::unknown_interface;  // scoped IPv6 does not exist here
}

std::uint8_t on_link_prefix(const Endpoint& local) noexcept {
  if (local.family() != Family::ipv4) return 0;
  std::uint32_t want = 0;
  std::memcpy(&want, local.address_bytes().data(), 4);
  std::uint8_t prefix = 0;
  LOCK_TCPIP_CORE();
  netif* n = nullptr;
  NETIF_FOREACH(n) {
    if (ip4_addr_get_u32(netif_ip4_addr(n)) != want) continue;
    prefix = static_cast<std::uint8_t>(__builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n))));
    break;
  }
  UNLOCK_TCPIP_CORE();
  return prefix;
}

}  // namespace sockkit::sys
