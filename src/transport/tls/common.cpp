// SPDX-License-Identifier: MIT
// The helpers every TLS backend shares (built into the library and into each
// engine plugin).
#include "transport/tls/common.hpp"

#include "socket/ip_text.hpp"

namespace sockkit::transport::tls {

bool is_ip_literal(std::string_view name) noexcept {
  return ip_text::parse_ipv4(name).has_value() || ip_text::parse_ipv6(name).has_value();
}

std::optional<std::string> alpn_wire_format(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& p : protocols) {
    if (p.empty() || p.size() > 255) return std::nullopt;
    wire += static_cast<char>(p.size());
    wire += p;
  }
  return wire;
}

}  // namespace sockkit::transport::tls
