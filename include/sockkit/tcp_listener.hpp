// SPDX-License-Identifier: MIT
/// @file
/// A listening stream socket that accepts connections.
///
///       auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::any_v4(8080));
///       if (!listener) return listener.error();      // errc::address_in_use, ...
///       while (auto client = listener->accept()) {
///         printf("peer %s\n", client->peer.to_string().c_str());
///         client->stream.write_all("hello\n");
///       }                                            // the listener stays open
///
/// SO_REUSEADDR is on by default. Why: after a server closes a connection the
/// port stays in TIME_WAIT for a fixed 60 s on Linux (TCP_TIMEWAIT_LEN, whatever
/// MSL is; docs/linux-notes.md), and a restarted server
/// would fail bind() with EADDRINUSE. On Linux the rebind succeeds only when
/// both the old and the new socket set SO_REUSEADDR — so every listener does.
#pragma once

#include "sockkit/tcp_stream.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// How a listener is set up.
struct ListenOptions {
  int backlog = 128;               ///< Pending-connection queue length given to listen().
  bool reuse_address = true;       ///< SO_REUSEADDR before bind (see the file comment).
  bool reuse_port = false;         ///< SO_REUSEPORT: several listeners share the port.
  bool ipv6_only = false;          ///< For IPv6 endpoints: refuse IPv4-mapped peers.
  bool remove_stale_path = false;  ///< Unix-domain: unlink an existing socket file first.
};

/// An accepted connection and who made it.
struct Accepted {
  TcpStream stream;  ///< The new connection, blocking, close-on-exec.
  Endpoint peer;     ///< Who connected.
};

/// A bound, listening stream socket (TCP or Unix-domain).
class TcpListener : public Socket {
 public:
  TcpListener() noexcept = default;

  /// socket + options + bind + listen.
  ///
  ///     auto listener =
  ///         sockkit::TcpListener::bind(sockkit::Endpoint::any_v4(7000), {.backlog = 64});
  ///
  /// @param at the address to listen on (port 0: any free one; local_endpoint() tells which).
  /// @param options backlog, SO_REUSEPORT, IPV6_V6ONLY, a stale Unix socket file.
  /// @return the listener, or errc::address_in_use, errc::address_not_available,
  ///         errc::permission_denied (a port below 1024 without the privilege).
  static Result<TcpListener> bind(const Endpoint& at, const ListenOptions& options = {}) noexcept;

  /// Waits for (or, non-blocking, takes) the next connection. The new stream is
  /// blocking and close-on-exec. errc::would_block when non-blocking and none is
  /// pending; errc::too_many_sockets when the descriptor table is full.
  ///
  ///     while (auto client = listener->accept()) serve(std::move(client->stream), client->peer);
  ///
  /// @return the connection and its peer, or the errors above.
  Result<Accepted> accept() noexcept;

 private:
  using Socket::Socket;
};

}  // namespace sockkit

#pragma GCC visibility pop
