// SPDX-License-Identifier: MIT
#include "resolve/local_answer.hpp"

#include <string>
#include <vector>

#include "resolve/dns_message.hpp"
#include "socket/ip_text.hpp"

namespace sockkit::resolve_detail {
namespace {

bool is_localhost(std::string_view name) noexcept {
  if (name.ends_with('.')) name.remove_suffix(1);  // "foo.localhost." too (RFC 6761 6.3)
  return dns::same_name(name, "localhost") ||
         (name.size() > 10 && dns::same_name(name.substr(name.size() - 10), ".localhost"));
}

Resolution answered(Family family, AnswerSource source, std::string canonical_name) {
  Resolution r;
  r.family = family;
  r.source = source;
  r.canonical_name = std::move(canonical_name);
  return r;
}

}  // namespace

std::optional<LocalAnswer> local_answer(std::string_view host, std::uint16_t port, Family family,
                                        const HostsTable& hosts) {
  const std::string text(host);
  auto numeric =
      Endpoint::parse(text.find(':') != std::string::npos ? "[" + text + "]:0" : text + ":0");
  if (auto v4 = ip_text::parse_ipv4_shorthand(host); !numeric && v4)  // "127.1", as glibc
    numeric = Endpoint::ipv4(*v4, 0);
  if (numeric) {
    if (numeric->family() != family) return LocalAnswer{make_error_code(failure::no_address)};
    Resolution r = answered(family, AnswerSource::numeric, text);
    r.addresses.push_back({numeric->with_port(port), std::chrono::seconds(0)});
    return LocalAnswer{std::move(r)};
  }
  if (!dns::valid_query_name(host)) return LocalAnswer{make_error_code(failure::malformed_address)};
  std::vector<Endpoint> from_hosts;
  std::string canonical = text;
  const bool in_hosts = hosts.find(host, family, from_hosts, &canonical);
  if (!in_hosts && is_localhost(host))  // RFC 6761: never asked of a server
    from_hosts.push_back(family == Family::ipv6 ? Endpoint::loopback_v6(0)
                                                : Endpoint::loopback_v4(0));
  if (!in_hosts && from_hosts.empty()) return std::nullopt;
  if (from_hosts.empty()) return LocalAnswer{make_error_code(failure::no_address), true};
  Resolution r = answered(family, AnswerSource::hosts_file, std::move(canonical));
  for (const auto& ep : from_hosts)
    r.addresses.push_back({ep.with_port(port), std::chrono::seconds(0)});
  return LocalAnswer{std::move(r), true};
}

}  // namespace sockkit::resolve_detail
