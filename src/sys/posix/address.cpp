// Endpoint <-> sockaddr, interface names, and getaddrinfo.
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
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
      return std::error_code(EAFNOSUPPORT, std::system_category());
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

namespace {
std::error_code gai_error(int rc) {
  switch (rc) {
    case EAI_NONAME:
    case EAI_NODATA:
      return make_error_code(failure::name_not_found);
    case EAI_SYSTEM:
      return posix::last_error();
    case EAI_MEMORY:
      return std::make_error_code(std::errc::not_enough_memory);
    default:
      return make_error_code(failure::resolver_failure);
  }
}
}  // namespace

Result<std::vector<Endpoint>> resolve(std::string_view host, std::uint16_t port,
                                      const ResolveOptions& options) {
  addrinfo hints{};
  hints.ai_family = posix::to_native(options.family);
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
  hints.ai_flags = AI_ADDRCONFIG | (options.passive ? AI_PASSIVE : 0);
  const std::string host_z(host);
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host_z.empty() ? nullptr : host_z.c_str(), nullptr, &hints, &list);
  if (rc != 0) return gai_error(rc);
  std::vector<Endpoint> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    auto ep = posix::from_sockaddr(ai->ai_addr, ai->ai_addrlen);
    if (!ep || !ep->is_ip()) continue;
    Endpoint with_port = ep->with_port(port);
    bool seen = false;
    for (const auto& e : out)
      seen = seen || e == with_port;
    if (!seen) out.push_back(with_port);
  }
  freeaddrinfo(list);
  if (out.empty()) return failure::no_address;
  return out;
}

}  // namespace sockkit::sys
