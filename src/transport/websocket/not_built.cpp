// SPDX-License-Identifier: MIT
// A build without the web transports (SOCKKIT_WEBSOCKET=OFF): connecting with
// a WebSocket or through an HTTP proxy is refused as not built.
#include "sockkit/error.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {

std::string websocket_host(std::string_view host_port, bool) {
  return std::string(host_port);
}

std::string connect_request(std::string_view, std::string_view, std::string_view) {
  return {};
}

Result<std::unique_ptr<Session>> make_websocket_session(std::unique_ptr<Session>,
                                                        const WebSocketOptions&,
                                                        std::string) noexcept {
  return make_error_code(failure::backend_unavailable);
}

Result<std::unique_ptr<Session>> make_tunnel_session(std::unique_ptr<Session>,
                                                     std::unique_ptr<Session>,
                                                     std::string) noexcept {
  return make_error_code(failure::backend_unavailable);
}

}  // namespace sockkit::transport

namespace sockkit {

Status check_websocket_options(const WebSocketOptions&) noexcept {
  return make_error_code(failure::backend_unavailable);
}

}  // namespace sockkit
