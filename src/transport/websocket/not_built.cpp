// SPDX-License-Identifier: MIT
// A build without the web transports (SOCKKIT_WEBSOCKET=OFF): connecting with
// a WebSocket or through an HTTP proxy is refused as not built.
#include "sockkit/error.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {

std::string websocket_host(std::string_view host_port, bool) {
  return std::string(host_port);
}

Result<std::unique_ptr<Session>> add_web_layers(NativeHandle, std::unique_ptr<Session>,
                                                const WebLayers&) noexcept {
  return make_error_code(failure::backend_unavailable);
}

Status check_proxy_credentials(const HttpProxy&) noexcept {
  return make_error_code(failure::backend_unavailable);
}

}  // namespace sockkit::transport

namespace sockkit {

Status check_websocket_options(const WebSocketOptions&) noexcept {
  return make_error_code(failure::backend_unavailable);
}

}  // namespace sockkit
