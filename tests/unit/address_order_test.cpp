// SPDX-License-Identifier: MIT
// Destination address selection without sockets: each destination comes with
// the source the stack would use, and the order is the one glibc's
// getaddrinfo() gives for the same routes (checked against getent ahosts in
// DnsCli.AddressOrderAgreesWithGetent).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resolve/address_order.hpp"

namespace sockkit::resolve_detail {
namespace {

Endpoint ip(const std::string& text) {
  const bool v6 = text.find(':') != std::string::npos;
  return *Endpoint::parse(v6 ? "[" + text + "]:0" : text + ":0");
}

/// "address via source/prefix", or "address" alone for one without a route.
Destination dest(const std::string& address, const std::string& source = "", int prefix = 0) {
  Destination d;
  d.address = ip(address);
  if (!source.empty()) {
    d.reachable = true;
    d.source = ip(source);
    d.source_prefix = static_cast<std::uint8_t>(prefix);
  }
  return d;
}

std::vector<std::string> sorted(std::vector<Destination> d) {
  sort_destinations(d);
  std::vector<std::string> out;
  for (const auto& x : d)
    out.push_back(x.address.address_string());
  return out;
}

// The host: 10.53.1.2/24 and fd00:53::2/64 on its uplink, default routes for both.
TEST(AddressOrder, AGatewaysUplinkOrdersAsGlibcDoes) {
  const auto got =
      sorted({dest("10.0.2.9", "10.53.1.2", 24), dest("10.53.1.7", "10.53.1.2", 24),
              dest("2001:db8::5", "fd00:53::2", 64), dest("fd00:53::7", "fd00:53::2", 64),
              dest("10.53.1.200", "10.53.1.2", 24), dest("127.0.0.2", "127.0.0.1", 8)});
  // A ULA whose label matches its source beats IPv4 (precedence 40 against 10);
  // loopback's smaller scope goes first among IPv4; on-link before routed, the
  // longer common prefix first; a global IPv6 address reached from a ULA source
  // (labels 1 and 6) goes last.
  const std::vector<std::string> glibc = {"fd00:53::7",  "127.0.0.2", "10.53.1.7",
                                          "10.53.1.200", "10.0.2.9",  "2001:db8::5"};
  EXPECT_EQ(got, glibc);
}

TEST(AddressOrder, AnAddressWithoutARouteGoesLast) {
  EXPECT_EQ(sorted({dest("fd00::1"), dest("10.0.0.1", "10.0.0.2", 24)}),
            (std::vector<std::string>{"10.0.0.1", "fd00::1"}));
}

TEST(AddressOrder, GlobalIpv6FromAGlobalSourceBeatsIpv4) {
  EXPECT_EQ(sorted({dest("192.0.2.1", "192.0.2.2", 24), dest("2001:db8::1", "2001:db8::2", 64)}),
            (std::vector<std::string>{"2001:db8::1", "192.0.2.1"}));
}

TEST(AddressOrder, MatchingScopeComesBeforeAMismatch) {
  // A link-local destination reached from a global source (rule 2) loses to a
  // global one reached from a global source.
  EXPECT_EQ(sorted({dest("fe80::1", "2001:db8::2", 64), dest("2001:db8::9", "2001:db8::2", 64)}),
            (std::vector<std::string>{"2001:db8::9", "fe80::1"}));
}

TEST(AddressOrder, Ipv6LongestMatchingPrefixWins) {
  EXPECT_EQ(sorted({dest("2001:db8:ffff::1", "2001:db8::2", 64),
                    dest("2001:db8::77", "2001:db8::2", 64)}),
            (std::vector<std::string>{"2001:db8::77", "2001:db8:ffff::1"}));
}

TEST(AddressOrder, EqualDestinationsKeepTheServersOrder) {
  // Off-link IPv4 addresses tie on every rule: the answer's order stands.
  EXPECT_EQ(sorted({dest("198.51.100.9", "10.0.0.2", 24), dest("198.51.100.1", "10.0.0.2", 24),
                    dest("203.0.113.5", "10.0.0.2", 24)}),
            (std::vector<std::string>{"198.51.100.9", "198.51.100.1", "203.0.113.5"}));
}

TEST(AddressOrder, IPv4TakenFirstDecidesTheFamilyToStartWith) {
  // Without an IPv6 route, connecting starts with IPv4 (RFC 8305 section 4
  // starts with the family of the best address).
  std::vector<Destination> d = {dest("fd00::1"), dest("10.0.0.1", "10.0.0.2", 24)};
  sort_destinations(d);
  EXPECT_EQ(d.front().address.family(), Family::ipv4);
}

}  // namespace
}  // namespace sockkit::resolve_detail
