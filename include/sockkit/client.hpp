// SPDX-License-Identifier: MIT
/// @file
/// Outgoing connections on an EventLoop: asynchronous
/// connect with a timeout, then the same buffered Connection a Server gives.
///
///       auto client = sockkit::Client::create(*loop, handler);
///       client->connect(*sockkit::Endpoint::parse("10.0.0.2:1883"), 5s);
///       // later: handler.on_open(conn), or handler.on_connect_failed(to, errc::timed_out ...)
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sockkit/connection.hpp"
#include "sockkit/function.hpp"
#include "sockkit/resolver.hpp"
#include "sockkit/socket.hpp"
#include "sockkit/tls.hpp"
#include "sockkit/websocket.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// The way out for outgoing connections, on a device with several uplinks
/// (Ethernet and cellular): an interface, a source address, or both. Empty:
/// the stack's routing decides.
///
///     sockkit::Uplink cellular{.device = "wwan0"};
///     client->connect(broker, 10s, {.via = cellular});
struct Uplink {
  /// Interface name (SO_BINDTODEVICE on Linux; a netif name such as "tp0" on
  /// lwIP): the connection goes out there whatever the routing table prefers.
  std::string device{};
  /// Source address bound before connecting (port 0: any free port).
  std::optional<Endpoint> source{};
};

/// TCP settings for one outgoing connection, applied before it connects.
struct ConnectOptions {
  /// The interface and/or source address to connect from; empty: the routing table's choice.
  Uplink via{};
  std::optional<Keepalive> keepalive{};       ///< Probes on an idle connection; none = off.
  std::chrono::milliseconds user_timeout{0};  ///< TCP_USER_TIMEOUT: unacknowledged data this
                                              ///< long kills the connection. 0 = the stack's
                                              ///< default; skipped where the stack lacks it.
  /// TLS over this connection (a client context); null: plain. on_open comes
  /// after the handshake; a failed handshake is on_connect_failed.
  std::shared_ptr<TlsContext> tls{};
  /// The name sent as SNI and checked in the certificate; empty: the context's
  /// (or, connecting by name, the host name).
  std::string server_name{};
  /// A WebSocket over this connection (after TLS, if any): on_open comes after
  /// the upgrade, the handler's bytes travel in binary frames, and a refused
  /// upgrade is on_connect_failed (failure::websocket_refused).
  std::optional<WebSocketOptions> websocket{};
  /// Through an HTTP proxy's CONNECT tunnel (before TLS and WebSocket); a
  /// refusal is on_connect_failed (failure::proxy_refused, proxy_auth_failed).
  std::optional<HttpProxy> proxy{};
  /// Connecting by name: the resolver to ask (share one per loop for one
  /// cache); null: the client's own, with the system's configuration.
  Resolver* resolver = nullptr;
};

/// Outgoing connections on an event loop, each served by one ConnectionHandler.
///
///     auto client = sockkit::Client::create(*loop, handler);
///     client->connect(*sockkit::Endpoint::parse("192.0.2.7:502"), 5s);
class Client {
 public:
  /// A client on `loop`; every connection it makes is served by `handler`.
  ///
  ///     auto client = sockkit::Client::create(*loop, handler, {.idle_timeout = 60s});
  ///
  /// @param loop the loop it runs on (must outlive it). @param handler serves every connection.
  /// @param limits buffers, watermarks, idle timeout of each connection.
  /// @return the client, or errc::no_buffer_space.
  static Result<Client> create(EventLoop& loop, ConnectionHandler& handler,
                               const ConnectionOptions& limits = {}) noexcept;
  /// Closes pending connects (no callbacks) and every connection (on_close with
  /// operation_canceled). Safe inside any of the client's own callbacks.
  ~Client();
  /// Takes over `other`, which is left empty (only destruction and assignment are valid).
  /// @param other the client taken over.
  Client(Client&& other) noexcept;
  /// Destroys what this held (as the destructor does), then takes over `other`.
  /// @param other the client taken over. @return this client.
  Client& operator=(Client&& other) noexcept;

  /// Starts a non-blocking connect. Later: on_open, or on_connect_failed with the
  /// reason (SO_ERROR checked — writable alone is not success). With TLS the
  /// handshake must be done by `timeout` too. An immediate
  /// failure (bad address, no route) is returned here instead. A negative
  /// `timeout` sets no limit of sockkit's (the stack's own SYN retries still end it).
  ///
  ///     client->connect(to, 5s, {.keepalive = sockkit::Keepalive{.idle = 30s}});
  ///
  /// @param to the peer. @param timeout for the connect and the TLS handshake.
  /// @param options TLS, keepalive, source address or interface, server name.
  /// @return errc::network_unreachable, failure::wrong_family, errc::too_many_sockets,
  ///         failure::timers_exhausted; later failures go to on_connect_failed.
  Status connect(const Endpoint& to, std::chrono::milliseconds timeout,
                 const ConnectOptions& options = {}) noexcept;
  /// Connects to "host:port" as RFC 8305 (Happy Eyeballs) says: A and AAAA
  /// are asked on the loop (never blocking it); connecting starts on the IPv6
  /// answer, or 50 ms after an IPv4 one; addresses alternate between the
  /// families, the next starting 250 ms after the previous or at once when it
  /// fails; the first to connect wins and the others are closed. One deadline,
  /// `timeout`, covers the lookup, the connects and the TLS handshake. Later:
  /// on_open, or one on_connect_failed with the reason (for a failed lookup
  /// `to` is an empty Endpoint and `why` is errc::name_not_resolved or
  /// errc::timed_out). Numeric text connects at once.
  ///
  ///     client->connect("broker.example.com:8883", 10s, {.tls = tls});
  ///
  /// @param host_port "name:port" or numeric text. @param timeout for all of it.
  /// @param options TLS, keepalive, source address or interface, resolver.
  /// @return failure::malformed_address, failure::missing_port, failure::timers_exhausted;
  ///         later failures go to on_connect_failed.
  Status connect(std::string_view host_port, std::chrono::milliseconds timeout,
                 const ConnectOptions& options = {}) noexcept;
  /// Connects in progress (name lookups included).
  /// @return how many connects are in progress.
  std::size_t pending() const noexcept;
  /// Abandons every connect in progress: sockets closed, no callbacks.
  void cancel_pending() noexcept;
  /// The open connection with this id, or null once it has closed.
  /// @param id from Connection::id(). @return the connection, or null.
  Connection* find(Connection::Id id) noexcept;
  /// Open connections.
  /// @return how many connections are open.
  std::size_t connection_count() const noexcept;
  /// Like Server::shutdown: flush, close, bounded by `grace`; then `on_done(flushed)`
  /// from the loop. Never runs the loop.
  /// @param grace the longest wait for queues to drain.
  /// @param on_done told whether every queue was written in time.
  void shutdown(std::chrono::milliseconds grace, Function<void(bool)> on_done) noexcept;
  /// The same, waiting for it (outside the loop's callbacks only, as Server's).
  /// @param grace the longest wait. @return whether every queue was written in time.
  bool shutdown(std::chrono::milliseconds grace) noexcept;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sockkit

#pragma GCC visibility pop
