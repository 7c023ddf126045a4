// SPDX-License-Identifier: MIT
/// @file
/// A blocking TLS connection, for programs that do
/// not run an event loop (a device's one upload, a diagnostic tool).
///
///       auto tls = sockkit::TlsContext::client({.ca_file = "ca.pem"});
///       auto s = sockkit::TlsStream::connect("broker.example.com:8883", *tls, 10s);
///       if (!s) return s.error();                 // name, connect and handshake: one deadline
///       s->write_all("GET / HTTP/1.1\r\nHost: broker.example.com\r\n\r\n", 5s);
///       char buf[512];
///       auto n = s->receive(std::span<char>(buf), 5s);   // 0: the peer closed (close_notify)
///       s->close();
///
/// The same TLS libraries, certificate checks and errors as a Connection's
/// TLS; every call takes its own timeout (negative: wait as long as it takes).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "sockkit/result.hpp"
#include "sockkit/tcp_stream.hpp"
#include "sockkit/tls.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// A TLS session over a blocking-style TCP stream. Move-only; closed (without
/// close_notify) when destroyed.
class TlsStream {
 public:
  /// An empty stream (is_open() == false).
  TlsStream() noexcept;
  ~TlsStream();
  /// Takes over `other`'s session; `other` is left empty.
  /// @param other the stream taken over.
  TlsStream(TlsStream&& other) noexcept;
  /// Closes what this held, then takes over `other`'s session.
  /// @param other the stream taken over. @return this stream.
  TlsStream& operator=(TlsStream&& other) noexcept;

  /// Resolves "host:port", connects and completes the handshake, all within
  /// `timeout` (failure::tls_handshake_timeout when the handshake is what ran
  /// out of time). The certificate is checked against `server_name`, else the
  /// context's, else the host part of `host_port` (a name or an IP address).
  ///
  ///     auto s = sockkit::TlsStream::connect("127.0.0.1:8883", *tls, 5s);
  ///
  /// @param host_port "name:port" or numeric text. @param context a client context.
  /// @param timeout for all of it. @param server_name the name to check the certificate for.
  /// @return the session; errors of TcpStream::connect(), failure::tls_handshake_timeout,
  ///         errc::tls_untrusted, errc::tls_host_mismatch, errc::tls_expired,
  ///         errc::tls_handshake_failed.
  static Result<TlsStream> connect(std::string_view host_port, std::shared_ptr<TlsContext> context,
                                   std::chrono::milliseconds timeout,
                                   std::string_view server_name = {});
  /// Runs the handshake over a connected stream, as a client or a server as
  /// `context` says: an accepted stream becomes a TLS server session.
  ///
  ///     auto accepted = listener->accept();
  ///     auto s = sockkit::TlsStream::handshake(std::move(accepted->stream), server_tls, 5s);
  ///
  /// @param stream connected or accepted; taken. @param context client or server.
  /// @param timeout for the handshake. @param server_name as for connect().
  /// @return the session, or the handshake errors of connect().
  static Result<TlsStream> handshake(TcpStream&& stream, std::shared_ptr<TlsContext> context,
                                     std::chrono::milliseconds timeout,
                                     std::string_view server_name = {}) noexcept;

  /// @return whether a session is held.
  bool is_open() const noexcept;
  /// Waits for decrypted bytes.
  ///
  ///     std::array<std::byte, 512> buf;
  ///     auto n = s->receive(buf, 5s);
  ///
  /// @param into where they go. @param timeout the longest wait; negative: none.
  /// @return the count (at least one), 0 once the peer sent close_notify;
  ///         failure::receive_timeout, failure::tls_truncated when the peer
  ///         closed the connection without close_notify, errc::connection_reset.
  Result<std::size_t> receive(std::span<std::byte> into,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  /// receive() into characters.
  /// @param into where they go. @param timeout the longest wait.
  /// @return as receive() of bytes.
  Result<std::size_t> receive(std::span<char> into,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  /// Writes all of `data`, encrypted.
  ///
  ///     s->write_all(std::as_bytes(std::span(request)), 5s);
  ///
  /// @param data the bytes. @param timeout for the whole call; negative: none.
  /// @return failure::send_timeout when `timeout` passes first (part of `data`
  ///         may have been sent then), errc::peer_closed, errc::connection_reset.
  Status write_all(std::span<const std::byte> data,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  /// write_all() of text.
  /// @param data the text. @param timeout for the whole call. @return as write_all() of bytes.
  Status write_all(std::string_view data,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  /// Sends close_notify (waiting at most `timeout` for room to send it), then
  /// closes the socket. The stream is empty afterwards.
  /// @param timeout the longest wait to send close_notify.
  /// @return failure::send_timeout when close_notify could not be sent in time (the
  ///         socket is closed anyway), failure::closed_socket when empty.
  Status close(std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) noexcept;
  /// @return version, cipher, peer certificate, ALPN; failure::closed_socket when empty.
  Result<TlsInfo> info() const;
  /// @return the socket, for options; do not read, write or close it.
  NativeHandle native_handle() const noexcept;

 private:
  struct Impl;
  explicit TlsStream(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sockkit

#pragma GCC visibility pop
