// SPDX-License-Identifier: MIT
/// @file
/// The web transports of outgoing connections (Client, ReconnectingClient,
/// MQTT's): WebSocket (RFC 6455) — the connection, plain or TLS, upgrades
/// before on_open and then carries its bytes in binary frames; pings are
/// answered, fragmented messages joined, the close handshake done by the
/// library — and HTTP proxies' CONNECT tunnels under either. The handler sees
/// the same byte stream as on any connection. Not in builds made with
/// SOCKKIT_WEBSOCKET=OFF (the device profile): asking for them is then
/// errc::not_supported.
///
///     client->connect("broker.example.com:443", 10s,
///                     {.tls = tls, .websocket = sockkit::WebSocketOptions{
///                                      .path = "/mqtt", .protocols = {"mqtt"}}});
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "sockkit/result.hpp"

#pragma GCC visibility push(default)

namespace sockkit {

/// How a connection asks for its WebSocket upgrade.
struct WebSocketOptions {
  /// The request target: a path, and a query if the server wants one.
  std::string path = "/";
  /// The Host header; empty: the host connected to (its name when connecting by
  /// name, else the address), with the port unless it is the scheme's (80, 443).
  std::string host{};
  /// Subprotocols offered (Sec-WebSocket-Protocol), most preferred first; the
  /// server must choose one of these or none. MQTT's client offers "mqtt" when empty.
  std::vector<std::string> protocols{};
  /// More request headers (Origin, Authorization, cookies), sent as given.
  std::vector<std::pair<std::string, std::string>> headers{};
  /// The upgrade (after TCP and TLS) must be done by then: failure::upgrade_timeout.
  std::chrono::milliseconds handshake_timeout{10000};
  /// The largest response head accepted from the server (status line and headers).
  std::size_t max_response_head = 8192;
};

/// Checks that the options can be sent: no line breaks or control characters
/// in the path, host or header values, header names made of token characters,
/// protocols that are tokens. Connecting checks this too.
///
///     if (auto st = sockkit::check_websocket_options(ws); !st) return st;
///
/// @param options what would be sent. @return {} or errc::invalid_argument.
Status check_websocket_options(const WebSocketOptions& options) noexcept;

/// An HTTP proxy that opens tunnels with CONNECT (RFC 9110 §9.3.6), for
/// networks whose only way out is a web proxy. The connection goes to the
/// proxy, which connects on to the target; TLS and WebSocket then run through
/// the tunnel end to end, with the target's name for SNI and certificates.
///
///     client->connect("broker.example.com:8883", 10s,
///                     {.tls = tls, .proxy = sockkit::HttpProxy{.address = "proxy.lan:3128"}});
struct HttpProxy {
  std::string address;     ///< "host:port" of the proxy (a name is resolved like the target's).
  std::string user{};      ///< Basic credentials for Proxy-Authorization; empty: none.
  std::string password{};  ///< With `user`.
};

/// Checks that a proxy can be used: an address with a port, and credentials
/// with no line breaks or control characters (and no ':' in the user).
///
///     if (auto st = sockkit::check_http_proxy(proxy); !st) return st;
///
/// @param proxy the proxy. @return {}, failure::malformed_address, failure::missing_port
///         or errc::invalid_argument.
Status check_http_proxy(const HttpProxy& proxy) noexcept;

}  // namespace sockkit

#pragma GCC visibility pop
