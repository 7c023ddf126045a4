// SPDX-License-Identifier: MIT
// "host:port" text read once for every entry point that takes a name: numeric
// text never reaches DNS, and a bad name is refused before any server is asked.
#include "resolve/target.hpp"

#include <algorithm>

#include "resolve/dns_message.hpp"
#include "socket/ip_text.hpp"

namespace sockkit {
namespace resolve_detail {

Result<Target> parse_target(std::string_view text) noexcept {
  if (auto numeric = Endpoint::parse(text)) {
    Target t;
    t.numeric = *numeric;
    return t;
  } else if (text.starts_with("unix:") || text.starts_with("[") ||
             numeric.error() != failure::malformed_address) {
    return numeric.error();  // numeric text that is wrong: say why, do not ask DNS
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return failure::missing_port;
  auto port = parse_port(text.substr(colon + 1));
  if (!port) return port.error();
  const std::string_view host = text.substr(0, colon);
  if (auto v4 = ip_text::parse_ipv4_shorthand(host)) {  // "127.1:80", as glibc reads it
    Target t;
    t.numeric = Endpoint::ipv4(*v4, *port);
    return t;
  }
  // RFC 1123 2.1: a name never looks like dotted decimal, so "300.1.1.1" is a
  // bad address, not a name to ask DNS about.
  const bool looks_numeric = std::all_of(host.begin(), host.end(),
                                         [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!host.empty() && (looks_numeric || !dns::valid_query_name(host)))
    return failure::malformed_address;
  Target t;
  t.host = host;
  t.port = *port;
  return t;
}

}  // namespace resolve_detail

}  // namespace sockkit
