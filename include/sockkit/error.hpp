// SPDX-License-Identifier: MIT
/// @file
/// Errors as values, portable across network stacks.
///
/// Every failure in sockkit is a sockkit::ErrorCode: std::error_code itself
/// where the standard library is hosted (Linux, hosted lwIP), and a compact
/// value of the same shape on a bare-metal board, which then links none of
/// the `<system_error>` runtime (SOCKKIT_STD_ERRORS=OFF, the device profile's
/// choice there). Codes coming from the network stack keep their native
/// category (errno values under std::system_category() on Linux), so
/// message() prints what the OS said. To decide what to do, compare a code
/// against a portable condition:
///
///       auto n = stream.receive(buf);
///       if (!n && n.error() == sockkit::errc::would_block) { /* wait for readable */ }
///       if (!n && n.error() == sockkit::errc::connection_reset) { /* reconnect */ }
///
/// The comparison works the same on every stack sockkit supports.
#pragma once

#include <string>
#include <system_error>  // std::errc; std::error_code where SOCKKIT_STD_ERRORS
#include <type_traits>

#ifndef SOCKKIT_STD_ERRORS
/// 1: ErrorCode is std::error_code; 0: the compact value (set by the build, SOCKKIT_STD_ERRORS).
#define SOCKKIT_STD_ERRORS 1
#endif

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

/// Whether an ErrorCode can be made from E by its make_error_code()
/// (sockkit::failure, mqtt::reason).
template <class E>
struct is_error_code_enum : std::false_type {};
/// sockkit's own errors make codes.
template <>
struct is_error_code_enum<failure> : std::true_type {};

#if SOCKKIT_STD_ERRORS
/// An error value: a number and the category that gives it meaning.
using ErrorCode = std::error_code;
/// A family of error numbers (the stack's, sockkit's, a protocol's).
using ErrorCategory = std::error_category;
/// What ErrorCode compares against to ask "is this a ...?".
using ErrorCondition = std::error_condition;
#else
/// What ErrorCode compares against: the portable condition itself.
using ErrorCondition = errc;

/// A family of error numbers (compact build): a name, a message per number
/// and the portable condition each number is. Categories are static objects,
/// compared by address.
class ErrorCategory {
 public:
  /// @return the category's short name ("sockkit", "lwip-raw").
  virtual const char* name() const noexcept = 0;
  /// @param value a number of this category. @return what it means.
  virtual std::string message(int value) const = 0;
  /// @param value a number of this category. @return its portable condition, or errc{}.
  virtual ErrorCondition default_error_condition(int value) const noexcept;
  /// @param other another category. @return whether both are the same object.
  bool operator==(const ErrorCategory& other) const noexcept { return this == &other; }

 protected:
  ErrorCategory() = default;
  ~ErrorCategory() = default;
};

/// The category of errno numbers named by std::errc (compact build; name "errno").
/// @return the category (a static object).
const ErrorCategory& host_category() noexcept;

class ErrorCode;
errc classify(const ErrorCode& code) noexcept;

/// An error value of the compact build: a number and its category, zero
/// meaning success; the shape of std::error_code, without its runtime.
///
///     sockkit::ErrorCode ec = sockkit::failure::connect_timeout;
///     if (ec == sockkit::errc::timed_out) { /* retry later */ }
class ErrorCode {
 public:
  /// No error.
  ErrorCode() noexcept = default;
  /// An error.
  /// @param value its number (0: none). @param category what the number means.
  ErrorCode(int value, const ErrorCategory& category) noexcept
      : value_(value), category_(&category) {}
  /// One of an error enum's values (sockkit::failure, mqtt::reason).
  /// @param e the value, made into a code by its make_error_code().
  template <class E, class = std::enable_if_t<is_error_code_enum<E>::value> >
  ErrorCode(E e) noexcept : ErrorCode(make_error_code(e)) {}  // NOLINT: implicit like std's

  /// @return the number (0: no error).
  int value() const noexcept { return value_; }
  /// @return the category the number belongs to.
  const ErrorCategory& category() const noexcept {
    return category_ != nullptr ? *category_ : host_category();
  }
  /// @return what the number means, as its category words it.
  std::string message() const { return category().message(value_); }
  /// @return the portable condition, or errc{}.
  ErrorCondition default_error_condition() const noexcept {
    return category().default_error_condition(value_);
  }
  /// @return whether this holds an error.
  explicit operator bool() const noexcept { return value_ != 0; }
  /// Back to no error.
  void clear() noexcept { *this = ErrorCode{}; }

  /// @param a,b two codes. @return whether number and category are the same.
  friend bool operator==(const ErrorCode& a, const ErrorCode& b) noexcept {
    return a.value_ == b.value_ && a.category() == b.category();
  }
  /// @param a a code. @param e a condition. @return whether the code is that condition.
  friend bool operator==(const ErrorCode& a, errc e) noexcept { return classify(a) == e; }
  /// @param a a code. @param e an errno name. @return whether the code is that errno number.
  friend bool operator==(const ErrorCode& a, std::errc e) noexcept {
    return a.category() == host_category() && a.value_ == static_cast<int>(e);
  }

 private:
  int value_ = 0;
  const ErrorCategory* category_ = nullptr;
};
#endif

/// Category of sockkit's portable conditions (name "sockkit.condition").
/// @return the category (a static object).
const ErrorCategory& condition_category() noexcept;
/// Category of sockkit's own error codes (name "sockkit").
/// @return the category (a static object).
const ErrorCategory& error_category() noexcept;

/// Builds a portable condition, so `code == sockkit::errc::timed_out` works.
///
///     if (r.error() == sockkit::make_error_condition(sockkit::errc::timed_out)) {...}
///
/// @param e the condition. @return it as an ErrorCondition.
ErrorCondition make_error_condition(errc e) noexcept;
/// Builds one of sockkit's own error codes.
///
///     return sockkit::make_error_code(sockkit::failure::port_out_of_range);
///
/// @param e the error. @return it as an ErrorCode.
ErrorCode make_error_code(failure e) noexcept;
/// Builds a code for an errno name, in whichever build.
///
///     return sockkit::make_error(std::errc::not_enough_memory);
///
/// @param e the errno name. @return std::make_error_code(e), or its compact equal.
ErrorCode make_error(std::errc e) noexcept;
/// Builds a code for an errno number the host (the kernel, the C library) gave.
///
///     if (fd < 0) return sockkit::make_host_error(errno);
///
/// @param value the errno number. @return it in std::system_category(), or the compact
/// host_category().
ErrorCode make_host_error(int value) noexcept;

/// The portable condition a code is equivalent to, or a default-constructed
/// (false) condition when none fits. Useful for logs and for switch statements.
///
///     switch (sockkit::classify(ec)) { case sockkit::errc::timed_out: ... }
///
/// @param code any error code (the stack's, a TLS library's, sockkit's).
/// @return the condition, or errc{} when none fits.
errc classify(const ErrorCode& code) noexcept;

/// Short stable name of a condition ("connection_reset"), for logs and tools.
/// @param e the condition. @return its name (static text).
const char* to_string(errc e) noexcept;

}  // namespace sockkit

// std::error_code needs to know the enums; left out of the reference.
/// @cond
#if SOCKKIT_STD_ERRORS
template <>
struct std::is_error_condition_enum<sockkit::errc> : std::true_type {};
template <>
struct std::is_error_code_enum<sockkit::failure> : std::true_type {};
#endif
/// @endcond

#pragma GCC visibility pop
