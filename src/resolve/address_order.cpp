// SPDX-License-Identifier: MIT
#include "resolve/address_order.hpp"

#include <algorithm>
#include <array>

#include "sockkit/resolver.hpp"
#include "sys/sys.hpp"

namespace sockkit::resolve_detail {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

/// The address as IPv6; IPv4 as ::ffff:a.b.c.d, which is how the policy table names it.
Bytes as_v6(const Endpoint& e) noexcept {
  Bytes b{};
  const auto a = e.address_bytes();
  if (e.family() == Family::ipv4 && a.size() == 4) {
    b[10] = b[11] = 0xff;
    std::copy(a.begin(), a.end(), b.begin() + 12);
  } else if (a.size() == 16) {
    std::copy(a.begin(), a.end(), b.begin());
  }
  return b;
}

unsigned common_prefix(const Bytes& a, const Bytes& b, unsigned limit = 128) noexcept {
  unsigned bits = 0;
  for (std::size_t i = 0; i < 16 && bits < limit; ++i) {
    const unsigned diff = static_cast<unsigned>(a[i] ^ b[i]);
    if (diff == 0) {
      bits += 8;
      continue;
    }
    for (unsigned mask = 0x80; (diff & mask) == 0; mask >>= 1)
      ++bits;
    break;
  }
  return std::min(bits, limit);
}

struct Policy {
  Bytes prefix;
  unsigned length;
  int precedence;
  int label;
};

constexpr Bytes bytes_of(std::initializer_list<std::uint8_t> head, bool mapped = false) {
  Bytes b{};
  std::size_t i = 0;
  for (auto v : head)
    b[i++] = v;
  if (mapped) b[10] = b[11] = 0xff;
  return b;
}

// glibc's defaults (RFC 3484's table with ULAs, site-locals and Teredo labelled
// apart), longest prefix first so the first match is the best.
constexpr std::array<Policy, 8> kPolicies{{
    {bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 128, 50, 0},  // ::1
    {bytes_of({}, true), 96, 10, 4},                                           // IPv4
    {bytes_of({}), 96, 20, 3},                                                 // ::/96
    {bytes_of({0x20, 0x01, 0, 0}), 32, 40, 7},                                 // Teredo
    {bytes_of({0x20, 0x02}), 16, 30, 2},                                       // 6to4
    {bytes_of({0xfe, 0xc0}), 10, 40, 5},                                       // site-local
    {bytes_of({0xfc}), 7, 40, 6},                                              // ULA
    {bytes_of({}), 0, 40, 1},                                                  // ::/0
}};

const Policy& policy_of(const Bytes& a) noexcept {
  for (const auto& p : kPolicies)
    if (common_prefix(a, p.prefix) >= p.length) return p;
  return kPolicies.back();
}

enum Scope : int { interface_local = 1, link_local = 2, site_local = 5, global = 14 };

int scope_of(const Endpoint& e) noexcept {
  const auto a = e.address_bytes();
  if (e.family() == Family::ipv4 && a.size() == 4) {
    // RFC 6724 section 3.2: loopback and autoconfiguration addresses are link-local.
    if (a[0] == 127 || (a[0] == 169 && a[1] == 254)) return link_local;
    return global;
  }
  if (a.size() != 16) return global;
  if (a[0] == 0xff) return a[1] & 0x0f;  // multicast carries its scope
  if (e.is_loopback()) return link_local;
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return link_local;
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return site_local;
  return global;
}

/// Rule 9 as glibc applies it: for IPv6 the longest common prefix; for IPv4 only
/// whether the destination is on the source's own network.
unsigned prefix_match(const Destination& d) noexcept {
  const unsigned common = common_prefix(as_v6(d.address), as_v6(d.source));
  if (d.address.family() == Family::ipv6) return common;
  return d.source_prefix > 0 && common >= 96u + d.source_prefix ? common : 0;
}

/// True if `a` is to be tried before `b`.
bool better(const Destination& a, const Destination& b) noexcept {
  if (a.reachable != b.reachable) return a.reachable;  // rule 1
  if (!a.reachable) return false;
  const int scope_a = scope_of(a.address), scope_b = scope_of(b.address);
  const bool scope_match_a = scope_a == scope_of(a.source);
  const bool scope_match_b = scope_b == scope_of(b.source);
  if (scope_match_a != scope_match_b) return scope_match_a;  // rule 2
  const Policy& pa = policy_of(as_v6(a.address));
  const Policy& pb = policy_of(as_v6(b.address));
  const bool label_a = pa.label == policy_of(as_v6(a.source)).label;
  const bool label_b = pb.label == policy_of(as_v6(b.source)).label;
  if (label_a != label_b) return label_a;                                    // rule 5
  if (pa.precedence != pb.precedence) return pa.precedence > pb.precedence;  // rule 6
  if (scope_a != scope_b) return scope_a < scope_b;                          // rule 8
  if (a.address.family() == b.address.family()) {
    const unsigned match_a = prefix_match(a), match_b = prefix_match(b);
    if (match_a != match_b) return match_a > match_b;  // rule 9
  }
  return false;  // rule 10: as the server gave them
}

}  // namespace

void sort_destinations(std::span<Destination> destinations) noexcept {
  std::stable_sort(destinations.begin(), destinations.end(), better);
}

Destination probe_destination(const Endpoint& address) noexcept {
  Destination d;
  d.address = address;
  auto h = sys::open(address.family(), SocketType::datagram);
  if (!h) return d;
  // Any port will do: connecting a UDP socket only picks a route and a source.
  if (sys::connect(*h, address.with_port(address.port() == 0 ? 9 : address.port()))) {
    if (auto local = sys::local_endpoint(*h); local && !local->is_unspecified()) {
      d.reachable = true;
      d.source = local->with_port(0);
      d.source_prefix = sys::on_link_prefix(d.source);
    }
  }
  (void)sys::close(*h);
  return d;
}

std::vector<std::size_t> destination_order(std::span<const Endpoint> addresses) {
  struct Indexed {
    Destination d;
    std::size_t index;
  };
  std::vector<Indexed> all;
  all.reserve(addresses.size());
  for (std::size_t i = 0; i < addresses.size(); ++i)
    all.push_back({addresses.size() > 1 ? probe_destination(addresses[i]) : Destination{}, i});
  std::stable_sort(all.begin(), all.end(),
                   [](const Indexed& a, const Indexed& b) { return better(a.d, b.d); });
  std::vector<std::size_t> order;
  order.reserve(all.size());
  for (const auto& x : all)
    order.push_back(x.index);
  return order;
}

std::vector<Endpoint> interleave(const std::vector<Endpoint>& first,
                                 const std::vector<Endpoint>& second) {
  std::vector<Endpoint> out;
  out.reserve(first.size() + second.size());
  for (std::size_t i = 0; i < std::max(first.size(), second.size()); ++i) {
    if (i < first.size()) out.push_back(first[i]);
    if (i < second.size()) out.push_back(second[i]);
  }
  return out;
}

std::vector<Endpoint> order_for_connecting(const std::vector<Endpoint>& v6,
                                           const std::vector<Endpoint>& v4) {
  std::vector<Endpoint> all(v6);
  all.insert(all.end(), v4.begin(), v4.end());
  sockkit::order_destinations(all);
  if (all.empty()) return all;
  std::vector<Endpoint> first, second;
  for (const auto& a : all)
    (a.family() == all.front().family() ? first : second).push_back(a);
  return interleave(first, second);
}

}  // namespace sockkit::resolve_detail

namespace sockkit {

void order_destinations(std::vector<Endpoint>& addresses) {
  resolve_detail::order_by_destination(addresses, [](const Endpoint& e) { return e; });
}

}  // namespace sockkit
