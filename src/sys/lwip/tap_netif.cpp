// SPDX-License-Identifier: MIT
// lwIP's side of the TAP device, for both lwIP stacks: an Ethernet netif whose
// frames go to and come from the kernel's TAP descriptor (posix/tap_device.cpp),
// read on a thread of its own and handed to the stack as the stack takes them
// (tap_stack.hpp). Received frames are copied into PBUF_RAM: Debian's own
// tapif driver uses PBUF_POOL, whose buffers overflow with full-size frames
// (measured; see docs/lwip.md).
#include <atomic>
#include <cstring>
#include <thread>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "sockkit/lwip_tap.hpp"
#include "sys/lwip/tap_stack.hpp"
#include "sys/posix/tap_device.hpp"

namespace sockkit::lwip {
namespace {

namespace tap_stack = sys::tap_stack;

constexpr std::size_t kMaxFrame = 1514;  // Ethernet header + 1500-byte MTU

struct Tap {
  netif interface {};
  int fd = -1;
  std::atomic<std::uint64_t> frames_in{0}, frames_out{0}, dropped_in{0};
};
Tap tap;
std::atomic<bool> attached{false};

// With the stack held (lwIP's tcpip thread, or a call into the bare-metal stack).
err_t link_output(netif*, pbuf* p) {
  std::uint8_t frame[kMaxFrame];
  if (p->tot_len > sizeof frame) return ERR_BUF;
  const u16_t n = pbuf_copy_partial(p, frame, p->tot_len, 0);
  if (!sys::posix::tap::write_frame(tap.fd, frame, n)) return ERR_IF;
  tap.frames_out.fetch_add(1, std::memory_order_relaxed);
  return ERR_OK;
}

err_t init_netif(netif* n) {
  n->name[0] = 't';
  n->name[1] = 'p';
  n->output = etharp_output;
  n->linkoutput = link_output;
  n->mtu = 1500;
  n->hwaddr_len = ETH_HWADDR_LEN;
  // A locally administered unicast address, different per process.
  const auto id = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(&tap) >> 4);
  const std::uint8_t mac[ETH_HWADDR_LEN] = {0x02,
                                            0x5c,
                                            static_cast<std::uint8_t>(id >> 24),
                                            static_cast<std::uint8_t>(id >> 16),
                                            static_cast<std::uint8_t>(id >> 8),
                                            static_cast<std::uint8_t>(id)};
  std::memcpy(n->hwaddr, mac, sizeof mac);
  n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
#if LWIP_IGMP
  n->flags |= NETIF_FLAG_IGMP;  // a TAP device hands lwIP every frame: no MAC filter to program
#endif
  return ERR_OK;
}

// Kernel -> lwIP, on a thread of its own for the life of the process.
void receive_frames() {
  std::uint8_t frame[kMaxFrame + 4];
  for (;;) {
    auto n = sys::posix::tap::read_frame(tap.fd, frame, sizeof frame, 1000);
    if (!n) return;  // the device is gone
    if (*n == 0) continue;
    if (!tap_stack::deliver(&tap.interface, frame, static_cast<u16_t>(*n))) {
      tap.dropped_in.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    tap.frames_in.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

Status attach_tap(const TapConfig& config) noexcept {
  if (config.address.family() != Family::ipv4) return tap_stack::error(EINVAL);
  if (config.prefix_length < 1 || config.prefix_length > 30) return tap_stack::error(EINVAL);
  if (!tap_stack::running()) return failure::stack_not_started;
  if (attached.exchange(true)) return failure::limit_reached;  // one TAP per process
  auto fd = sys::posix::tap::open_device(config.device);
  if (!fd) {
    attached = false;
    return fd.error();
  }
  tap.fd = *fd;

  ip4_addr_t address, netmask, gateway;
  const auto bytes = config.address.address_bytes();
  IP4_ADDR(&address, bytes[0], bytes[1], bytes[2], bytes[3]);
  ip4_addr_set_u32(&netmask, lwip_htonl(~((1u << (32 - config.prefix_length)) - 1u)));
  ip4_addr_set_zero(&gateway);
  netif* added = nullptr;
  tap_stack::with_stack_held([&] {
    added = netif_add(&tap.interface, &address, &netmask, &gateway, nullptr, init_netif,
                      tap_stack::input());
    if (added != nullptr) {
      if (config.make_default) netif_set_default(added);
      netif_set_up(added);
    }
  });
  if (added == nullptr) return tap_stack::error(ENOMEM);
  std::thread(receive_frames).detach();
  return {};
}

TapStats tap_stats() noexcept {
  return {tap.frames_in.load(), tap.frames_out.load(), tap.dropped_in.load()};
}

}  // namespace sockkit::lwip

namespace sockkit::sys::tap_stack {

pbuf* copy_frame(const void* frame, u16_t size) noexcept {
  pbuf* p = pbuf_alloc(PBUF_RAW, size, PBUF_RAM);
  if (p != nullptr) pbuf_take(p, frame, size);
  return p;
}

}  // namespace sockkit::sys::tap_stack
