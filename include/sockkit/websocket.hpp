// SPDX-License-Identifier: MIT
/// @file
/// WebSocket (RFC 6455) as a transport: an outgoing connection — plain or
/// TLS, by Client or ReconnectingClient, MQTT's included — that upgrades to a
/// WebSocket before on_open and then carries its bytes in binary frames. The
/// handler sees the same byte stream as on any connection; pings are answered,
/// fragmented messages joined, and the close handshake done by the library.
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

}  // namespace sockkit

#pragma GCC visibility pop
