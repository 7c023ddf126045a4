// SPDX-License-Identifier: MIT
// A client connection's web layers around its TLS session (or the socket
// itself): a WebSocket over it, an HTTP proxy's tunnel under it. Reached only
// through the pointer a client's connect sets, so a program that only serves
// does not link them.
#include <algorithm>

#include "sockkit/error.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {

Result<std::unique_ptr<Session>> add_web_layers(NativeHandle socket, std::unique_ptr<Session> inner,
                                                const WebLayers& web) noexcept {
  std::unique_ptr<Session> session = inner ? std::move(inner) : make_plain_session(socket);
  if (!session) return make_error(std::errc::not_enough_memory);
  if (web.websocket != nullptr) {
    auto ws =
        make_websocket_session(std::move(session), *web.websocket, std::string(web.websocket_host));
    if (!ws) return ws.error();
    session = std::move(*ws);
  }
  if (web.proxy != nullptr) {
    auto tunnel = make_tunnel_session(
        make_plain_session(socket), std::move(session),
        connect_request(web.tunnel_target, web.proxy->user, web.proxy->password));
    if (!tunnel) return tunnel.error();
    session = std::move(*tunnel);
  }
  return session;
}

Status check_proxy_credentials(const HttpProxy& proxy) noexcept {
  const auto printable = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u >= 0x20 && u != 0x7F;
    });
  };
  if (!printable(proxy.user) || !printable(proxy.password) ||
      proxy.user.find(':') != std::string::npos || (proxy.user.empty() && !proxy.password.empty()))
    return make_error(std::errc::invalid_argument);
  return {};
}

}  // namespace sockkit::transport
