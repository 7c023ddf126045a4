// SPDX-License-Identifier: MIT
// The DNS servers lwIP holds, read and replaced under lwIP's core lock.
#include "lwip/tcpip.h"
#include "sys/lwip/dns_servers.hpp"
#include "sys/lwip/lwip.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace {
struct CoreLock {
  CoreLock() { LOCK_TCPIP_CORE(); }
  ~CoreLock() { UNLOCK_TCPIP_CORE(); }
  CoreLock(const CoreLock&) = delete;
  CoreLock& operator=(const CoreLock&) = delete;
};
}  // namespace

std::vector<Endpoint> stack_dns_servers() {
  if (!lwip::running()) return {};  // dns_getserver reads the stack's state
  return lwip_dns::servers<CoreLock>();
}

Status set_stack_dns_servers(std::span<const Endpoint> servers) noexcept {
  return lwip_dns::set_servers<CoreLock>(servers, lwip::running());
}

}  // namespace sockkit::sys
