// SPDX-License-Identifier: MIT
/// @file
/// An accepting TCP server on an EventLoop.
///
///       Echo echo;                                       // a ConnectionHandler
///       auto server = sockkit::Server::start(*loop, sockkit::Endpoint::any_v4(7007), echo,
///                                            {.max_connections = 512});
///       if (!server) return server.error();
///       loop->run();
///
/// Connections beyond max_connections are closed at once and counted, never
/// left in the backlog. When the process runs out of descriptors (EMFILE),
/// accepting pauses for accept_retry instead of spinning on the listener.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "sockkit/connection.hpp"
#include "sockkit/function.hpp"
#include "sockkit/tcp_listener.hpp"
#include "sockkit/tls.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// How a Server runs.
struct ServerOptions {
  std::size_t max_connections =
      1024;                    ///< Beyond this, new connections are closed at once (counted).
  ConnectionOptions limits{};  ///< Per-connection buffers and timeouts.
  ListenOptions listen{};      ///< Backlog, SO_REUSEPORT, IPV6_V6ONLY.
  /// Pause before accepting again after running out of descriptors.
  std::chrono::milliseconds accept_retry{100};
  /// TLS on every accepted connection (a server context); null: plain. on_open
  /// comes after the handshake; handshaking connections count against
  /// max_connections, and one not done by the context's handshake_timeout is closed.
  /// At max_connections a new connection displaces the oldest one still
  /// handshaking (counted), so quiet handshakers cannot shut real clients out.
  std::shared_ptr<TlsContext> tls{};
};

/// What a Server has done; every refusal is counted.
struct ServerStats {
  std::uint64_t accepted = 0;             ///< Connections accepted.
  std::uint64_t rejected_over_limit = 0;  ///< Closed at once: max_connections reached.
  std::uint64_t rejected_descriptor_limit =
      0;                                ///< Closed at once: backend limit (select's FD_SETSIZE).
  std::uint64_t rejected_no_timer = 0;  ///< Closed at once: TLS, and the loop's timers in use.
  std::uint64_t accept_pauses = 0;      ///< Times accepting paused on EMFILE/ENFILE.
  std::uint64_t accept_errors = 0;      ///< Other accept failures.
  std::uint64_t idle_closed = 0;        ///< Closed by the idle timeout.
  std::uint64_t tls_handshake_failures = 0;  ///< TLS handshakes that failed (never opened).
  std::uint64_t tls_handshake_timeouts = 0;  ///< TLS handshakes closed at their deadline.
  /// TLS: at max_connections, the oldest connection still in its handshake
  /// closed (failure::limit_reached) to let a new one in.
  std::uint64_t tls_handshakes_displaced = 0;
  std::size_t open = 0;  ///< Connections open now.
};

/// A listening server on an event loop: accepts, counts refusals, and serves each
/// connection through one ConnectionHandler.
///
///     auto server = sockkit::Server::start(*loop, sockkit::Endpoint::any_v4(7000), handler);
///     loop->run();
class Server {
 public:
  /// Binds, listens and starts accepting on `loop`.
  ///
  ///     auto server = sockkit::Server::start(*loop, sockkit::Endpoint::any_v4(7000), handler,
  ///                                          {.max_connections = 64});
  ///
  /// @param loop the loop it runs on (must outlive it). @param at where to listen.
  /// @param handler serves every connection. @param options limits, listen options, TLS.
  /// @return the server, or errc::address_in_use, errc::address_not_available,
  ///         errc::permission_denied, errc::too_many_sockets, failure::limit_reached (past
  ///         the backend's descriptor limit).
  static Result<Server> start(EventLoop& loop, const Endpoint& at, ConnectionHandler& handler,
                              const ServerOptions& options = {}) noexcept;
  /// Closes the listener and every connection at once (on_close with
  /// operation_canceled). Safe inside any of the server's own callbacks: no
  /// callback follows, and the memory is freed once the callbacks unwind.
  ~Server();
  /// Takes over `other`, which is left empty (only destruction and assignment are valid).
  /// @param other the server taken over.
  Server(Server&& other) noexcept;
  /// Destroys what this held (as the destructor does), then takes over `other`.
  /// @param other the server taken over. @return this server.
  Server& operator=(Server&& other) noexcept;

  /// Where it listens (the real port when bound to port 0).
  /// @return the address.
  Endpoint local_endpoint() const noexcept;
  /// Counters since start().
  /// @return the counters, and the connections open now.
  ServerStats stats() const noexcept;
  /// The open connection with this id, or null once it has closed (ids are never reused).
  ///
  ///     if (auto* c = server->find(id)) c->send(reply);
  ///
  /// @param id from Connection::id(). @return the connection, or null.
  Connection* find(Connection::Id id) noexcept;
  /// Graceful shutdown: stop accepting, let every connection finish writing what it
  /// has queued, close each when flushed; at the deadline close the rest. Then
  /// `on_done(flushed)` runs from the loop (true if everything flushed in time);
  /// it may destroy the server. Never runs the loop: call it anywhere on the
  /// loop thread, inside the server's own callbacks included.
  ///
  ///     server->shutdown(2s, [&](bool flushed) { loop->stop(); });
  ///
  /// @param grace the longest wait for queues to drain. @param on_done told whether all flushed.
  void shutdown(std::chrono::milliseconds grace, Function<void(bool)> on_done) noexcept;
  /// The same, waiting for it: runs the loop until done. Outside the loop's
  /// callbacks only (inside one the loop cannot run: the rest is closed at
  /// once and false returned). True if everything flushed in time.
  /// @param grace the longest wait. @return whether everything flushed in time.
  bool shutdown(std::chrono::milliseconds grace) noexcept;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sockkit

#pragma GCC visibility pop
