// SPDX-License-Identifier: MIT
// Destination address selection (RFC 6724 section 6) with glibc's default
// policy table, so a name's addresses come out in the order getaddrinfo()
// gives them: reachable before unreachable, matching scope and label, higher
// precedence, smaller scope, longest matching prefix, then the server's order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sockkit/endpoint.hpp"

namespace sockkit::resolve_detail {

/// A destination and the source address the stack would send to it from.
struct Destination {
  Endpoint address;
  bool reachable = false;          ///< the stack has a route, hence a source address
  Endpoint source;                 ///< valid when reachable
  std::uint8_t source_prefix = 0;  ///< on-link prefix length of the source's network, 0 unknown
};

/// Sorts `destinations` best first. Stable: equal ones keep their order.
void sort_destinations(std::span<Destination> destinations) noexcept;

/// What the stack would use to reach `address` (a connected UDP socket's local
/// address, as glibc learns it; nothing is sent).
Destination probe_destination(const Endpoint& address) noexcept;

/// The RFC 6724 order of `addresses` (one family or both): indexes, best first.
std::vector<std::size_t> destination_order(std::span<const Endpoint> addresses);

/// `items` put in the RFC 6724 order of their addresses (`address_of(item)`).
template <class T, class AddressOf>
void order_by_destination(std::vector<T>& items, AddressOf address_of) {
  if (items.size() < 2) return;
  std::vector<Endpoint> addresses;
  addresses.reserve(items.size());
  for (const T& item : items)
    addresses.push_back(address_of(item));
  std::vector<T> sorted;
  sorted.reserve(items.size());
  for (std::size_t i : destination_order(addresses))
    sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

/// Two lists merged alternately, `first`'s head first, each keeping its order
/// (RFC 8305 section 4).
std::vector<Endpoint> interleave(const std::vector<Endpoint>& first,
                                 const std::vector<Endpoint>& second);

/// Both families ordered, then interleaved from the family of the best
/// address (RFC 8305 section 4), each family keeping its own order.
std::vector<Endpoint> order_for_connecting(const std::vector<Endpoint>& v6,
                                           const std::vector<Endpoint>& v4);

}  // namespace sockkit::resolve_detail
