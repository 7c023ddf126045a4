// SPDX-License-Identifier: MIT
/// @file
/// Errors as values, portable across network stacks.
///
/// Every failure in sockkit is a std::error_code. Codes coming from the
/// network stack keep their native category (errno values under
/// std::system_category() on Linux), so message() prints what the OS said.
/// To decide what to do, compare a code against a portable condition:
///
///       auto n = stream.receive(buf);
///       if (!n && n.error() == sockkit::errc::would_block) { /* wait for readable */ }
///       if (!n && n.error() == sockkit::errc::connection_reset) { /* reconnect */ }
///
/// The comparison works the same on every stack sockkit supports.
#pragma once

#include <system_error>

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Portable error conditions: what happened, whatever the stack called it.
enum class errc {
  would_block = 1,        ///< Non-blocking call has nothing to do now (EAGAIN/EWOULDBLOCK).
  in_progress,            ///< Non-blocking connect started (EINPROGRESS/EALREADY).
  connection_refused,     ///< Nobody listens on that port (ECONNREFUSED).
  connection_reset,       ///< The peer sent RST (ECONNRESET).
  connection_aborted,     ///< Connection died before or while accepting (ECONNABORTED).
  peer_closed,            ///< Writing to a peer that has gone (EPIPE), or EOF inside read_exact.
  not_connected,          ///< Socket is not connected (ENOTCONN).
  already_connected,      ///< Socket is already connected (EISCONN).
  timed_out,              ///< A connect, receive, send or keepalive timer expired (ETIMEDOUT).
  address_in_use,         ///< Port busy, e.g. TIME_WAIT without SO_REUSEADDR (EADDRINUSE).
  address_not_available,  ///< Local address is not on this host (EADDRNOTAVAIL).
  host_unreachable,       ///< No route to the host (EHOSTUNREACH).
  network_unreachable,    ///< No route to the network (ENETUNREACH, ENETDOWN).
  too_many_sockets,       ///< Descriptor table or socket pool exhausted (EMFILE, ENFILE).
  no_buffer_space,        ///< Stack memory exhausted (ENOBUFS, ENOMEM).
  not_supported,          ///< Option, family or operation unsupported on this stack.
  message_too_large,      ///< Datagram or frame bigger than allowed (EMSGSIZE).
  permission_denied,      ///< E.g. broadcast without SO_BROADCAST, port < 1024 (EACCES, EPERM).
  invalid_argument,       ///< Malformed input: an address, a port, an option value (EINVAL).
  name_not_resolved,      ///< A host or service name could not be resolved.
  limit_exceeded,         ///< A documented sockkit limit was reached (e.g. FD_SETSIZE).
  truncated,              ///< A datagram was longer than the buffer given to receive it.
  bad_descriptor,         ///< Operation on a closed or invalid socket (EBADF, ENOTSOCK).
  tls_untrusted,          ///< TLS: the peer's certificate chain ends at no trusted CA.
  tls_expired,            ///< TLS: a certificate is expired or not yet valid.
  tls_host_mismatch,      ///< TLS: the certificate does not name the host connected to.
  tls_handshake_failed,   ///< TLS: no agreement (versions, ciphers, a required certificate).
  tls_truncated,          ///< TLS: the peer closed without close_notify (data may be cut).
  tls_protocol_error,     ///< TLS: malformed or unexpected records (garbage, not TLS).
  protocol_error,         ///< An application protocol (MQTT) broken by the peer.
};

/// Errors sockkit itself produces (as opposed to the stack). Each one is
/// equivalent to one of the portable conditions above.
enum class failure {
  malformed_address = 1,  ///< Text is not an address sockkit can parse.  -> invalid_argument
  port_out_of_range,      ///< Port is not 0..65535.                      -> invalid_argument
  missing_port,           ///< "host:port" text without a port.           -> invalid_argument
  path_too_long,          ///< Unix-domain path longer than the platform allows -> invalid_argument
  unknown_interface,      ///< IPv6 scope names no interface.             -> invalid_argument
  wrong_family,           ///< Endpoint family does not fit the socket.   -> invalid_argument
  closed_socket,          ///< The Socket object holds no descriptor.     -> bad_descriptor
  unexpected_eof,         ///< Peer closed before read_exact was filled.  -> peer_closed
  datagram_truncated,     ///< Datagram cut to the buffer size.           -> truncated
  connect_in_progress,    ///< Non-blocking connect not finished yet.     -> in_progress
  connect_timeout,        ///< connect() did not complete in time.        -> timed_out
  receive_timeout,        ///< SO_RCVTIMEO expired on a blocking socket.  -> timed_out
  send_timeout,           ///< SO_SNDTIMEO expired on a blocking socket.  -> timed_out
  no_address,             ///< Name resolved to no usable address.        -> name_not_resolved
  name_not_found,         ///< Resolver: no such host.                    -> name_not_resolved
  resolver_failure,       ///< Resolver failed temporarily or fatally.    -> name_not_resolved
  limit_reached,          ///< A configured sockkit limit was exceeded.   -> limit_exceeded
  backend_unavailable,    ///< Not built, plugin not installed, or refused -> not_supported
  write_queue_full,       ///< Connection write queue would pass its maximum -> limit_exceeded
  frame_too_large,        ///< Unconsumed input or a frame past its maximum  -> message_too_large
  idle_timeout,           ///< Nothing received within the idle timeout     -> timed_out
  heartbeat_timeout,      ///< The peer did not answer a heartbeat in time  -> timed_out
  outbox_full,            ///< Reconnecting client's outbox is full        -> limit_exceeded
  stopped,                ///< The client was stopped: no more reconnects   -> connection_aborted
  closed_by_peer,         ///< The peer ended the connection (EOF)          -> peer_closed
  tls_certificate_untrusted,  ///< Peer certificate not from a trusted CA  -> tls_untrusted
  tls_certificate_expired,    ///< Certificate expired or not yet valid     -> tls_expired
  tls_host_mismatch,          ///< Certificate does not name the host       -> tls_host_mismatch
  tls_handshake_failed,       ///< Versions, ciphers or alerts: no session  -> tls_handshake_failed
  tls_certificate_required,   ///< The server requires a client certificate -> tls_handshake_failed
  tls_handshake_timeout,      ///< The handshake did not finish in time     -> timed_out
  tls_truncated,              ///< EOF without close_notify                 -> tls_truncated
  tls_protocol_error,         ///< Records that are not valid TLS          -> tls_protocol_error
  tls_configuration,          ///< A TLS setting that cannot be used        -> invalid_argument
  resolve_timeout,            ///< Name resolution did not finish in time  -> timed_out
  dns_server_failure,         ///< Every server asked failed (SERVFAIL, REFUSED, no answer) ->
                              ///< name_not_resolved
  dns_malformed_answer,       ///< A DNS answer that breaks the protocol   -> name_not_resolved
  canceled,                   ///< The operation was cancelled by its owner -> connection_aborted
  stack_not_started,          ///< lwIP: neither start_stack() nor attach_stack() was called ->
                              ///< network_unreachable
  timers_exhausted,           ///< The loop's fixed timer capacity is in use -> limit_exceeded
  tls_file_unreadable,        ///< A certificate, key or CA file missing, unreadable or not
                              ///< PEM -> invalid_argument
  tls_key_mismatch,           ///< The private key is not the certificate's -> invalid_argument
  tls_no_server_name,         ///< Verifying, with no name to check the certificate against ->
                              ///< invalid_argument
  tls_wrong_role,             ///< A server context used to connect, or a client's to accept ->
                              ///< invalid_argument
  rejected_by_hang_up,        ///< The broker hung up each time this message was sent ->
                              ///< peer_closed
  message_expired,            ///< Its expiry passed before it could be sent -> timed_out
  upgrade_timeout,            ///< A WebSocket upgrade or a proxy tunnel was not made in time ->
                              ///< timed_out
  websocket_refused,          ///< The server did not upgrade: a status other than 101, or a
                              ///< wrong accept key, protocol or extension -> protocol_error
  websocket_protocol_error,   ///< Frames that break RFC 6455 (masked by the server, reserved
                              ///< bits, a bad opcode or length) -> protocol_error
  websocket_closed,           ///< The peer closed the WebSocket with an error code ->
                              ///< peer_closed
  proxy_refused,              ///< The HTTP proxy would not open the tunnel (a status other
                              ///< than 2xx, or no answer) -> connection_refused
  proxy_auth_failed,          ///< The HTTP proxy wants credentials, or other ones (407, or
                              ///< 401 as some proxies say) -> permission_denied
};

/// Category of sockkit's portable conditions (name "sockkit.condition").
/// @return the category (a static object).
const std::error_category& condition_category() noexcept;
/// Category of sockkit's own error codes (name "sockkit").
/// @return the category (a static object).
const std::error_category& error_category() noexcept;

/// Builds a portable condition, so `code == sockkit::errc::timed_out` works.
///
///     if (r.error() == sockkit::make_error_condition(sockkit::errc::timed_out)) {...}
///
/// @param e the condition. @return it as a std::error_condition.
std::error_condition make_error_condition(errc e) noexcept;
/// Builds one of sockkit's own error codes.
///
///     return sockkit::make_error_code(sockkit::failure::port_out_of_range);
///
/// @param e the error. @return it as a std::error_code.
std::error_code make_error_code(failure e) noexcept;

/// The portable condition a code is equivalent to, or a default-constructed
/// (false) condition when none fits. Useful for logs and for switch statements.
///
///     switch (sockkit::classify(ec)) { case sockkit::errc::timed_out: ... }
///
/// @param code any error code (the stack's, a TLS library's, sockkit's).
/// @return the condition, or errc{} when none fits.
errc classify(const std::error_code& code) noexcept;

/// Short stable name of a condition ("connection_reset"), for logs and tools.
/// @param e the condition. @return its name (static text).
const char* to_string(errc e) noexcept;

}  // namespace sockkit

// std::error_code needs to know the enums; left out of the reference.
/// @cond
template <>
struct std::is_error_condition_enum<sockkit::errc> : std::true_type {};
template <>
struct std::is_error_code_enum<sockkit::failure> : std::true_type {};
/// @endcond

#pragma GCC visibility pop
