// SPDX-License-Identifier: MIT
// lwIP's DNS client and the servers it holds, under lwIP's core lock.
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

bool stack_dns_available() noexcept {
  return LWIP_DNS != 0;
}

Result<std::optional<Endpoint>> stack_dns_lookup(const std::string& name, Family family,
                                                 StackDnsDone done, std::uintptr_t token) noexcept {
  return lwip_dns::lookup<CoreLock>(name, family, done, token, lwip::running());
}

}  // namespace sockkit::sys
