// SPDX-License-Identifier: MIT
// The transport layer: how a connection's bytes cross its socket — plainly, or
// through a TLS session. The connection layer calls only this, never sys::.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"
#include "sockkit/socket.hpp"
#include "sockkit/tls.hpp"
#include "sockkit/websocket.hpp"
#include "sys/sys.hpp"

namespace sockkit::transport {

// -- Plain: the socket itself.

/// Bytes read (0: the peer's EOF), or would_block. Out of line: a TLS engine
/// built as a plugin defines its own, which reads through the library that
/// loaded it (tls/plugin_entry.cpp).
Result<std::size_t> receive(NativeHandle socket, std::span<std::byte> into) noexcept;
/// Bytes written, or would_block (out of line, as receive()).
Result<std::size_t> send(NativeHandle socket, std::span<const std::byte> data) noexcept;

// The same two, inline, for the library's own use: a plain connection's every
// read and write passes here.

/// receive() without the call.
inline Result<std::size_t> plain_receive(NativeHandle socket, std::span<std::byte> into) noexcept {
  return sys::receive(socket, into.data(), into.size());
}
/// send() without the call.
inline Result<std::size_t> plain_send(NativeHandle socket,
                                      std::span<const std::byte> data) noexcept {
  return sys::send(socket, data.data(), data.size());
}
/// Bytes of the parts written by one gather call (they may end inside a part), or would_block.
Result<std::size_t> send_gather(NativeHandle socket,
                                std::span<const std::span<const std::byte>> parts) noexcept;
/// Sends FIN.
Status shutdown_write(NativeHandle socket) noexcept;
Status close(NativeHandle socket) noexcept;
Result<Endpoint> peer(NativeHandle socket) noexcept;
Result<Endpoint> local(NativeHandle socket) noexcept;

// -- Sessions: a stream layered on the socket (TLS, WebSocket), one per connection.

/// A stream over a non-blocking socket that has a handshake of its own. Every
/// call may end in would_block; wants() then says which readiness lets it go on.
class Session {
 public:
  virtual ~Session() = default;
  /// Drives the handshake: {} once it is complete.
  virtual Status handshake() noexcept = 0;
  /// Payload read: bytes, 0 after the peer's orderly close, an error on a
  /// close that may have cut the stream (TLS: tls_truncated).
  virtual Result<std::size_t> read(std::span<std::byte> into) noexcept = 0;
  /// Payload written (possibly part of `data`). After would_block the next
  /// call must offer the same bytes first (the connection's queue does).
  virtual Result<std::size_t> write(std::span<const std::byte> data) noexcept = 0;
  /// Says goodbye in the session's own protocol (TLS close_notify, WebSocket
  /// close); the caller sends FIN after it.
  virtual Status close_notify() noexcept = 0;
  /// io::readable and/or io::writable: what the last would_block waits for.
  virtual unsigned wants() const noexcept = 0;
  /// Bytes held inside the session (decrypted, unframed), which no poller can see.
  virtual bool has_buffered_input() const noexcept = 0;
  /// The connection has been quiet for a while: give buffers back if possible
  /// (OpenSSL can; mbedTLS keeps them for the session's life).
  virtual void release_buffers() noexcept {}
  /// True when TLS is part of this session (info() then describes it).
  virtual bool is_tls() const noexcept { return false; }
  /// What a handshake cut off by its deadline failed with (the layer it was in).
  virtual failure timeout_reason() const noexcept { return failure::upgrade_timeout; }
  /// Version, cipher, peer certificate, ALPN (after the handshake; TLS only).
  virtual TlsInfo info() const { return {}; }
};

/// The socket itself as a Session (no handshake, no framing): what a WebSocket
/// runs over when there is no TLS below it.
std::unique_ptr<Session> make_plain_session(NativeHandle socket) noexcept;

/// A WebSocket client (RFC 6455) over `inner`: its handshake is inner's, then
/// the upgrade request with `host` as the Host header (unless the options name
/// one); errc::invalid_argument for options that cannot be sent.
Result<std::unique_ptr<Session>> make_websocket_session(std::unique_ptr<Session> inner,
                                                        const WebSocketOptions& options,
                                                        std::string host) noexcept;

/// The Host header for a WebSocket to "host:port" (or "[v6]:port"): the port
/// left out when it is the scheme's own (443 with TLS, 80 without).
std::string websocket_host(std::string_view host_port, bool tls);

/// The web layers a client connection asks for.
struct WebLayers {
  const WebSocketOptions* websocket = nullptr;  ///< null: no WebSocket
  std::string_view websocket_host{};            ///< its Host header, unless the options name one
  const HttpProxy* proxy = nullptr;             ///< null: connected directly
  std::string_view tunnel_target{};             ///< what the proxy is asked to connect to
};

/// `inner` (TLS, or null: the socket itself) with a WebSocket over it and/or
/// a proxy's CONNECT tunnel under it, as `web` asks.
Result<std::unique_ptr<Session>> add_web_layers(NativeHandle socket, std::unique_ptr<Session> inner,
                                                const WebLayers& web) noexcept;

/// Checks what a proxy's request carries: credentials with no control
/// characters and no ':' in the user (errc::invalid_argument otherwise).
Status check_proxy_credentials(const HttpProxy& proxy) noexcept;

/// An HTTP proxy's CONNECT request for `target` ("host:port"), with Basic
/// credentials when `user` is given.
std::string connect_request(std::string_view target, std::string_view user,
                            std::string_view password);

/// `inner` through a CONNECT tunnel: `request` goes out on `raw` (the socket's
/// plain session) and the proxy's answer is read from it before `inner`'s
/// handshake begins. failure::proxy_refused or proxy_auth_failed when it says no.
Result<std::unique_ptr<Session>> make_tunnel_session(std::unique_ptr<Session> raw,
                                                     std::unique_ptr<Session> inner,
                                                     std::string request) noexcept;

/// One TLS connection over a non-blocking socket.
class TlsSession : public Session {
 public:
  bool is_tls() const noexcept final { return true; }
  failure timeout_reason() const noexcept final { return failure::tls_handshake_timeout; }
  TlsInfo info() const override = 0;
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
