// SPDX-License-Identifier: MIT
// What makes an HTTP proxy usable: an address the dialer can dial, and
// credentials that cannot break out of their header line.
#include <algorithm>

#include "resolve/target.hpp"
#include "sockkit/client.hpp"

namespace sockkit {

Status check_http_proxy(const HttpProxy& proxy) noexcept {
  if (!SOCKKIT_WEBSOCKET) return failure::backend_unavailable;  // no tunnels in this build
  auto target = resolve_detail::parse_target(proxy.address);
  if (!target) return target.error();
  if (!target->numeric && target->host.empty()) return failure::malformed_address;
  if (target->numeric && target->numeric->family() == Family::unix_domain)
    return failure::wrong_family;
  const auto printable = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u >= 0x20 && u != 0x7F;
    });
  };
  if (!printable(proxy.user) || !printable(proxy.password) ||
      proxy.user.find(':') != std::string::npos || (proxy.user.empty() && !proxy.password.empty()))
    return std::make_error_code(std::errc::invalid_argument);
  return {};
}

}  // namespace sockkit
