// SPDX-License-Identifier: MIT
// The transport layer: how a connection's bytes cross its socket — plainly, or
// through a TLS session. The connection layer calls only this, never sys::.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"
#include "sockkit/socket.hpp"
#include "sockkit/tls.hpp"

namespace sockkit::transport {

// -- Plain: the socket itself.

/// Bytes read (0: the peer's EOF), or would_block.
Result<std::size_t> receive(NativeHandle socket, std::span<std::byte> into) noexcept;
/// Bytes written, or would_block.
Result<std::size_t> send(NativeHandle socket, std::span<const std::byte> data) noexcept;
/// Bytes of the parts written by one gather call (they may end inside a part), or would_block.
Result<std::size_t> send_gather(NativeHandle socket,
                                std::span<const std::span<const std::byte>> parts) noexcept;
/// Sends FIN.
Status shutdown_write(NativeHandle socket) noexcept;
Status close(NativeHandle socket) noexcept;
Result<Endpoint> peer(NativeHandle socket) noexcept;
Result<Endpoint> local(NativeHandle socket) noexcept;

// -- TLS: one session per connection, created by its context's engine.

/// One TLS connection over a non-blocking socket. Every call may end in
/// would_block; wants() then says which readiness lets it go on.
class TlsSession {
 public:
  virtual ~TlsSession() = default;
  /// Drives the handshake: {} once it is complete.
  virtual Status handshake() noexcept = 0;
  /// Plaintext read: bytes, 0 after the peer's close_notify, tls_truncated on
  /// an EOF without it.
  virtual Result<std::size_t> read(std::span<std::byte> into) noexcept = 0;
  /// Plaintext written (possibly part of `data`). After would_block the next
  /// call must offer the same bytes first (the connection's queue does).
  virtual Result<std::size_t> write(std::span<const std::byte> data) noexcept = 0;
  /// Sends close_notify (our side is done).
  virtual Status close_notify() noexcept = 0;
  /// io::readable and/or io::writable: what the last would_block waits for.
  virtual unsigned wants() const noexcept = 0;
  /// Decrypted bytes held inside the session, which no poller can see.
  virtual bool has_buffered_input() const noexcept = 0;
  /// The connection has been quiet for a while: give record buffers back if
  /// the library can (OpenSSL can; mbedTLS keeps them for the session's life).
  virtual void release_buffers() noexcept {}
  /// Version, cipher, peer certificate, ALPN (after the handshake).
  virtual TlsInfo info() const = 0;
};

/// A configured TLS library context: certificates, trust, versions, caches.
class TlsEngine {
 public:
  virtual ~TlsEngine() = default;
  /// A session on `socket`; `server_name` (clients) is sent as SNI and checked
  /// against the peer's certificate.
  virtual Result<std::unique_ptr<TlsSession>> open(NativeHandle socket,
                                                   std::string_view server_name) noexcept = 0;
};

/// A TlsContext as the library makes it: with its TLS library's engine.
class EngineContext final : public TlsContext {
 public:
  EngineContext(TlsOptions options, bool server, std::unique_ptr<TlsEngine> engine) noexcept
      : TlsContext(std::move(options), server), engine_(std::move(engine)) {}
  TlsEngine& engine() noexcept { return *engine_; }

 private:
  std::unique_ptr<TlsEngine> engine_;
};

/// The engine of a context made by TlsContext::client() or server().
inline TlsEngine& engine_of(TlsContext& context) noexcept {
  return static_cast<EngineContext&>(context).engine();
}

Result<std::unique_ptr<TlsEngine>> make_openssl_engine(const TlsOptions& options,
                                                       bool server) noexcept;
Result<std::unique_ptr<TlsEngine>> make_mbedtls_engine(const TlsOptions& options,
                                                       bool server) noexcept;

}  // namespace sockkit::transport
