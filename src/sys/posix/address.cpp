// SPDX-License-Identifier: MIT
// Endpoint <-> sockaddr and interface names.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "sys/posix/posix.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace posix {

int to_native(Family family) noexcept {
  switch (family) {
    case Family::ipv4:
      return AF_INET;
    case Family::ipv6:
      return AF_INET6;
    case Family::unix_domain:
      return AF_UNIX;
    case Family::none:
      break;
  }
  return AF_UNSPEC;
}

Result<SockAddr> to_sockaddr(const Endpoint& ep) noexcept {
  SockAddr out;
  switch (ep.family()) {
    case Family::ipv4: {
      auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(ep.port());
      std::memcpy(&sin->sin_addr, ep.address_bytes().data(), 4);
      out.length = sizeof(sockaddr_in);
      return out;
    }
    case Family::ipv6: {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(ep.port());
      sin6->sin6_scope_id = ep.scope_id();
      std::memcpy(&sin6->sin6_addr, ep.address_bytes().data(), 16);
      out.length = sizeof(sockaddr_in6);
      return out;
    }
    case Family::unix_domain: {
      auto* sun = reinterpret_cast<sockaddr_un*>(&out.storage);
      sun->sun_family = AF_UNIX;
      const auto name = ep.unix_name();
      static_assert(Endpoint::kMaxUnixPath < sizeof(sun->sun_path));
      const std::size_t lead = ep.is_abstract() ? 1 : 0;  // abstract names start with NUL
      std::memcpy(sun->sun_path + lead, name.data(), name.size());
      out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + lead + name.size() +
                                          (ep.is_abstract() || name.empty() ? 0 : 1));
      return out;
    }
    case Family::none:
      break;
  }
  return failure::wrong_family;
}

Result<Endpoint> from_sockaddr(const sockaddr* sa, socklen_t length) noexcept {
  switch (sa->sa_family) {
    case AF_INET: {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
      std::array<std::uint8_t, 4> octets{};
      std::memcpy(octets.data(), &sin->sin_addr, 4);
      return Endpoint::ipv4(octets, ntohs(sin->sin_port));
    }
    case AF_INET6: {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
      std::array<std::uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), &sin6->sin6_addr, 16);
      return Endpoint::ipv6(bytes, ntohs(sin6->sin6_port), sin6->sin6_scope_id);
    }
    case AF_UNIX: {
      const auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
      const auto base = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path));
      if (length <= base) return Endpoint::unix_path("");  // unnamed (a client socket)
      const std::size_t max = length - base;
      if (sun->sun_path[0] == '\0') return Endpoint::unix_abstract({sun->sun_path + 1, max - 1});
      return Endpoint::unix_path({sun->sun_path, strnlen(sun->sun_path, max)});
    }
    default:
      return make_host_error(EAFNOSUPPORT);
  }
}

}  // namespace posix

Result<std::uint32_t> interface_index(std::string_view name) noexcept {
  char buf[IF_NAMESIZE] = {};
  if (name.empty() || name.size() >= sizeof(buf)) return failure::unknown_interface;
  std::memcpy(buf, name.data(), name.size());
  const unsigned index = if_nametoindex(buf);
  if (index == 0) return failure::unknown_interface;
  return static_cast<std::uint32_t>(index);
}

std::uint8_t on_link_prefix(const Endpoint& local) noexcept {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return 0;
  const auto want = local.address_bytes();
  std::uint8_t prefix = 0;
  for (const ifaddrs* i = list; i != nullptr && prefix == 0; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_netmask == nullptr) continue;
    const unsigned char* address = nullptr;
    const unsigned char* mask = nullptr;
    std::size_t length = 0;
    if (i->ifa_addr->sa_family == AF_INET && local.family() == Family::ipv4) {
      address = reinterpret_cast<const unsigned char*>(
          &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr);
      mask = reinterpret_cast<const unsigned char*>(
          &reinterpret_cast<const sockaddr_in*>(i->ifa_netmask)->sin_addr);
      length = 4;
    } else if (i->ifa_addr->sa_family == AF_INET6 && local.family() == Family::ipv6) {
      address = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr.s6_addr;
      mask = reinterpret_cast<const sockaddr_in6*>(i->ifa_netmask)->sin6_addr.s6_addr;
      length = 16;
    }
    if (address == nullptr || want.size() != length ||
        std::memcmp(address, want.data(), length) != 0)
      continue;
    for (std::size_t b = 0; b < length; ++b)
      prefix = static_cast<std::uint8_t>(prefix + __builtin_popcount(mask[b]));
  }
  freeifaddrs(list);
  return prefix;
}

}  // namespace sockkit::sys
