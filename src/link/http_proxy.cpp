// SPDX-License-Identifier: MIT
// What makes an HTTP proxy usable: an address the dialer can dial, and
// credentials that cannot break out of their header line.
#include "resolve/target.hpp"
#include "sockkit/websocket.hpp"
#include "transport/transport.hpp"

namespace sockkit {

Status check_http_proxy(const HttpProxy& proxy) noexcept {
  if (!SOCKKIT_WEBSOCKET) return failure::backend_unavailable;  // no tunnels in this build
  auto target = resolve_detail::parse_target(proxy.address);
  if (!target) return target.error();
  if (!target->numeric && target->host.empty()) return failure::malformed_address;
  if (target->numeric && target->numeric->family() == Family::unix_domain)
    return failure::wrong_family;
  return transport::check_proxy_credentials(proxy);
}

}  // namespace sockkit
