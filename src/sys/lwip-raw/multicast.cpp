// SPDX-License-Identifier: MIT
// Multicast group membership on the bare-metal stack: lwIP's IGMP counts the
// members of each group per interface; the socket record keeps what this
// socket joined, so closing it leaves them, as closing a socket does.
#include "lwip/igmp.h"
#include "lwip/netif.h"
#include "sys/lwip-raw/raw.hpp"
#include "sys/sys.hpp"

namespace sockkit::sys {
namespace raw {

#if LWIP_IGMP
namespace {

err_t change_membership(const Membership& m, bool join) noexcept {
  if (m.netif_index == 0)
    return join ? igmp_joingroup(IP4_ADDR_ANY4, &m.group)
                : igmp_leavegroup(IP4_ADDR_ANY4, &m.group);
  netif* n = netif_get_by_index(m.netif_index);
  if (n == nullptr) return ERR_IF;
  return join ? igmp_joingroup_netif(n, &m.group) : igmp_leavegroup_netif(n, &m.group);
}

}  // namespace

void leave_groups(Socket& s) noexcept {
  for (std::uint8_t i = 0; i < s.membership_count; ++i)
    (void)change_membership(s.memberships[i], false);
  s.membership_count = 0;
}
#else
void leave_groups(Socket&) noexcept {}
#endif

}  // namespace raw

Status multicast_membership(NativeHandle h, const Endpoint& group, std::uint32_t interface_index,
                            bool join) noexcept {
#if LWIP_IGMP
  if (group.family() != Family::ipv4) return raw::error(EAFNOSUPPORT);
  const auto bytes = group.address_bytes();
  raw::Membership wanted;
  IP4_ADDR(&wanted.group, bytes[0], bytes[1], bytes[2], bytes[3]);
  if (!ip4_addr_ismulticast(&wanted.group)) return raw::error(EINVAL);
  if (interface_index > 255) return failure::unknown_interface;  // lwIP numbers netifs in a u8
  wanted.netif_index = static_cast<u8_t>(interface_index);
  raw::StackGuard guard;
  raw::Socket* s = raw::find(h.value);
  if (s == nullptr) return raw::error(EBADF);
  if (s->kind != raw::Kind::udp) return raw::error(ENOPROTOOPT);
  if (wanted.netif_index != 0 && netif_get_by_index(wanted.netif_index) == nullptr)
    return failure::unknown_interface;
  std::uint8_t at = 0;
  while (at < s->membership_count && !(ip4_addr_cmp(&s->memberships[at].group, &wanted.group) &&
                                       s->memberships[at].netif_index == wanted.netif_index))
    ++at;
  const bool member = at < s->membership_count;
  if (join) {
    if (member) return raw::error(EADDRINUSE);  // as Linux: joined twice
    if (s->membership_count == raw::kMemberships) return raw::error(ENOBUFS);
    if (const err_t err = raw::change_membership(wanted, true); err != ERR_OK)
      return raw::error(raw::errno_of(err));
    s->memberships[s->membership_count++] = wanted;
    return {};
  }
  if (!member) return raw::error(EADDRNOTAVAIL);  // as Linux: not a member
  (void)raw::change_membership(wanted, false);
  s->memberships[at] = s->memberships[--s->membership_count];
  return {};
#else
  (void)h, (void)group, (void)interface_index, (void)join;
  return raw::error(ENOPROTOOPT);  // LWIP_IGMP is off in this configuration
#endif
}

}  // namespace sockkit::sys
