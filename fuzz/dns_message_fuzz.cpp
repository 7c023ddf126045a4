// SPDX-License-Identifier: MIT
// The DNS answer parser on any bytes (and, by the first byte, the resolv.conf
// and hosts parsers): never crashes, never reads outside the message, and
// whatever it accepts is self-consistent.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "resolve/config.hpp"
#include "resolve/dns_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sockkit;
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      (void)ResolverConfig::parse_resolv_conf(text);
      return 0;
    }
    case 1: {
      resolve_detail::HostsTable hosts;
      hosts.parse(text);
      std::vector<Endpoint> out;
      (void)hosts.find("localhost", Family::ipv4, out);
      return 0;
    }
    default:
      break;
  }
  const auto message = std::as_bytes(std::span(data + 1, size - 1));
  const std::uint16_t id = dns::message_id(message);
  for (auto type : {dns::RecordType::a, dns::RecordType::aaaa}) {
    for (std::string_view name : {"a.test", "example.com", "x"}) {
      auto answer = dns::parse_response(message, id, name, type);
      if (!answer) continue;
      if (answer->cname_hops > dns::kMaxCnameHops) std::abort();
      if (answer->cname_hops == 0 && !dns::same_name(answer->canonical_name.view(), name))
        std::abort();
      if (answer->cname_hops > 0 && !dns::valid_query_name(answer->canonical_name.view()))
        std::abort();
      std::size_t walked = 0;
      dns::AddressWalk walk(message, *answer);
      for (dns::AddressRecord a; walk.next(a); ++walked)
        if (a.v6 != (type == dns::RecordType::aaaa)) std::abort();
      if (walked != answer->address_count) std::abort();
    }
  }
  return 0;
}
