// SPDX-License-Identifier: MIT
// The addresses an attempt has yet to try, in Happy Eyeballs order (RFC 8305
// section 4): the families alternate, IPv6 first, each in the order resolved.
#pragma once

#include <vector>

#include "resolve/address_order.hpp"
#include "sockkit/endpoint.hpp"

namespace sockkit::link {

class AddressQueue {
 public:
  /// Forgets every address: a new attempt starts.
  void clear() noexcept {
    v6_.clear();
    v4_.clear();
    last_family_ = Family::none;
  }
  /// Adds a resolved address behind those of its family.
  void add(const Endpoint& address) {
    (address.family() == Family::ipv6 ? v6_ : v4_).push_back(address);
  }
  /// True while an address is left.
  bool any() const noexcept { return !v6_.empty() || !v4_.empty(); }
  /// The next address to try: the other family than the last one, when it has one.
  Endpoint pop() noexcept {
    const bool take_v6 = !v6_.empty() && (last_family_ != Family::ipv6 || v4_.empty());
    auto& queue = take_v6 ? v6_ : v4_;
    const Endpoint ep = queue.front();
    queue.erase(queue.begin());
    last_family_ = ep.family();
    return ep;
  }
  /// Every address left, in the order pop() gives them from a fresh start.
  std::vector<Endpoint> all() const { return resolve_detail::interleave(v6_, v4_); }

 private:
  std::vector<Endpoint> v6_, v4_;
  Family last_family_ = Family::none;
};

}  // namespace sockkit::link
