// SPDX-License-Identifier: MIT
// sockkit's error categories: its own codes and the portable conditions.
#include "sockkit/error.hpp"

#include <cerrno>

#include "sys/errno_conditions.hpp"  // after <cerrno>: the host's E* values
#include "sys/numbered_text.hpp"
#include "sys/sys.hpp"

namespace sockkit {
namespace {

errc condition_of(failure e) noexcept {
  switch (e) {
    case failure::malformed_address:
    case failure::port_out_of_range:
    case failure::missing_port:
    case failure::path_too_long:
    case failure::unknown_interface:
    case failure::wrong_family:
      return errc::invalid_argument;
    case failure::closed_socket:
      return errc::bad_descriptor;
    case failure::unexpected_eof:
      return errc::peer_closed;
    case failure::datagram_truncated:
      return errc::truncated;
    case failure::connect_in_progress:
      return errc::in_progress;
    case failure::connect_timeout:
    case failure::receive_timeout:
    case failure::send_timeout:
      return errc::timed_out;
    case failure::no_address:
    case failure::name_not_found:
    case failure::resolver_failure:
      return errc::name_not_resolved;
    case failure::limit_reached:
      return errc::limit_exceeded;
    case failure::backend_unavailable:
      return errc::not_supported;
    case failure::write_queue_full:
      return errc::limit_exceeded;
    case failure::frame_too_large:
      return errc::message_too_large;
    case failure::idle_timeout:
    case failure::heartbeat_timeout:
      return errc::timed_out;
    case failure::outbox_full:
      return errc::limit_exceeded;
    case failure::stopped:
      return errc::connection_aborted;
    case failure::closed_by_peer:
      return errc::peer_closed;
    case failure::tls_certificate_untrusted:
      return errc::tls_untrusted;
    case failure::tls_certificate_expired:
      return errc::tls_expired;
    case failure::tls_host_mismatch:
      return errc::tls_host_mismatch;
    case failure::tls_handshake_failed:
    case failure::tls_certificate_required:
      return errc::tls_handshake_failed;
    case failure::tls_handshake_timeout:
      return errc::timed_out;
    case failure::tls_truncated:
      return errc::tls_truncated;
    case failure::tls_protocol_error:
      return errc::tls_protocol_error;
    case failure::tls_configuration:
    case failure::tls_file_unreadable:
    case failure::tls_key_mismatch:
    case failure::tls_no_server_name:
    case failure::tls_wrong_role:
      return errc::invalid_argument;
    case failure::resolve_timeout:
      return errc::timed_out;
    case failure::dns_server_failure:
    case failure::dns_malformed_answer:
      return errc::name_not_resolved;
    case failure::canceled:
      return errc::connection_aborted;
    case failure::stack_not_started:
      return errc::network_unreachable;
    case failure::timers_exhausted:
      return errc::limit_exceeded;
    case failure::rejected_by_hang_up:
      return errc::peer_closed;
    case failure::message_expired:
    case failure::upgrade_timeout:
      return errc::timed_out;
    case failure::websocket_refused:
    case failure::websocket_protocol_error:
      return errc::protocol_error;
    case failure::websocket_closed:
      return errc::peer_closed;
    case failure::proxy_refused:
      return errc::connection_refused;
    case failure::proxy_auth_failed:
      return errc::permission_denied;
  }
  return errc::invalid_argument;
}

class FailureCategory final : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "sockkit"; }
  std::string message(int value) const override {
#if !SOCKKIT_ERROR_STRINGS  // a device without the texts: the number and its condition
    return sys::numbered_text("sockkit failure ", value) + ": " +
           to_string(condition_of(static_cast<failure>(value)));
#else
    switch (static_cast<failure>(value)) {
      case failure::malformed_address:
        return "malformed address";
      case failure::port_out_of_range:
        return "port out of range (0..65535)";
      case failure::missing_port:
        return "missing port (expected host:port)";
      case failure::path_too_long:
        return "unix socket path too long (max 107 bytes)";
      case failure::unknown_interface:
        return "unknown network interface";
      case failure::wrong_family:
        return "address family does not fit the socket";
      case failure::closed_socket:
        return "socket is closed";
      case failure::unexpected_eof:
        return "peer closed the connection before all data arrived";
      case failure::datagram_truncated:
        return "datagram truncated to the buffer size";
      case failure::connect_in_progress:
        return "connect still in progress";
      case failure::connect_timeout:
        return "connect timed out";
      case failure::receive_timeout:
        return "receive timed out";
      case failure::send_timeout:
        return "send timed out";
      case failure::no_address:
        return "name resolved to no usable address";
      case failure::name_not_found:
        return "host name not found";
      case failure::resolver_failure:
        return "name resolution failed";
      case failure::limit_reached:
        return "configured limit reached";
      case failure::backend_unavailable:
        return "backend unavailable: not built, plugin not installed, or refused by the kernel";
      case failure::write_queue_full:
        return "write queue full (max_write_queue reached)";
      case failure::frame_too_large:
        return "frame too large (max_pending_read or max_frame reached)";
      case failure::idle_timeout:
        return "connection idle for longer than its idle timeout";
      case failure::heartbeat_timeout:
        return "no heartbeat answer from the peer in time";
      case failure::outbox_full:
        return "outbox full: message dropped";
      case failure::stopped:
        return "client stopped";
      case failure::closed_by_peer:
        return "the peer closed the connection";
      case failure::tls_certificate_untrusted:
        return "certificate not trusted (unknown issuer or self-signed)";
      case failure::tls_certificate_expired:
        return "certificate expired or not yet valid";
      case failure::tls_host_mismatch:
        return "certificate host name mismatch";
      case failure::tls_handshake_failed:
        return "TLS handshake failed";
      case failure::tls_certificate_required:
        return "the server requires a client certificate";
      case failure::tls_handshake_timeout:
        return "TLS handshake timed out";
      case failure::tls_truncated:
        return "the peer closed without TLS close_notify (truncated)";
      case failure::tls_protocol_error:
        return "TLS protocol error (not TLS, or malformed records)";
      case failure::tls_configuration:
        return "TLS configuration that cannot be used";
      case failure::tls_file_unreadable:
        return "TLS: a certificate, key or CA file is missing, unreadable or not PEM";
      case failure::tls_key_mismatch:
        return "TLS: the private key does not match the certificate";
      case failure::tls_no_server_name:
        return "TLS: no server name to check the certificate against (set server_name, or "
               "insecure_skip_verify)";
      case failure::tls_wrong_role:
        return "TLS: a server context cannot connect, nor a client context accept";
      case failure::resolve_timeout:
        return "name resolution timed out";
      case failure::dns_server_failure:
        return "DNS servers failed (SERVFAIL, REFUSED or no answer)";
      case failure::dns_malformed_answer:
        return "malformed DNS answer";
      case failure::canceled:
        return "canceled";
      case failure::stack_not_started:
        return "network stack not started (call sockkit::start_stack or attach_stack first)";
      case failure::timers_exhausted:
        return "no timer free (the loop's LoopOptions::max_timers are in use)";
      case failure::rejected_by_hang_up:
        return "message given up: the broker closed the connection each time it was sent";
      case failure::message_expired:
        return "message expired before it could be sent";
      case failure::upgrade_timeout:
        return "the WebSocket upgrade or the proxy tunnel timed out";
      case failure::websocket_refused:
        return "the server refused the WebSocket upgrade";
      case failure::websocket_protocol_error:
        return "WebSocket protocol error (frames that break RFC 6455)";
      case failure::websocket_closed:
        return "the peer closed the WebSocket with an error code";
      case failure::proxy_refused:
        return "the HTTP proxy refused the tunnel";
      case failure::proxy_auth_failed:
        return "the HTTP proxy requires other credentials (407 or 401)";
    }
    return "unknown sockkit error";
#endif
  }
  ErrorCondition default_error_condition(int value) const noexcept override {
    return make_error_condition(condition_of(static_cast<failure>(value)));
  }
};

class ConditionCategory final : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "sockkit.condition"; }
  std::string message(int value) const override { return to_string(static_cast<errc>(value)); }
#if SOCKKIT_STD_ERRORS
  bool equivalent(const std::error_code& code, int condition) const noexcept override {
    return static_cast<int>(classify(code)) == condition;
  }
#else
  ErrorCondition default_error_condition(int value) const noexcept override {
    return static_cast<errc>(value);
  }
#endif
};

#if !SOCKKIT_STD_ERRORS
// errno numbers on a board: std::generic_category() without its strerror table.
class HostCategory final : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "errno"; }
  std::string message(int value) const override { return sys::numbered_text("errno ", value); }
  ErrorCondition default_error_condition(int value) const noexcept override {
    return sys::errno_condition(value).value_or(errc{});
  }
};
#endif

}  // namespace

#if !SOCKKIT_STD_ERRORS
ErrorCondition ErrorCategory::default_error_condition(int) const noexcept {
  return errc{};
}

const ErrorCategory& host_category() noexcept {
  static const HostCategory category;
  return category;
}
#endif

const ErrorCategory& error_category() noexcept {
  static const FailureCategory category;
  return category;
}

const ErrorCategory& condition_category() noexcept {
  static const ConditionCategory category;
  return category;
}

ErrorCondition make_error_condition(errc e) noexcept {
#if SOCKKIT_STD_ERRORS
  return {static_cast<int>(e), condition_category()};
#else
  return e;
#endif
}

ErrorCode make_error_code(failure e) noexcept {
  return {static_cast<int>(e), error_category()};
}

ErrorCode make_error(std::errc e) noexcept {
#if SOCKKIT_STD_ERRORS
  return std::make_error_code(e);
#else
  return {static_cast<int>(e), host_category()};
#endif
}

ErrorCode make_host_error(int value) noexcept {
#if SOCKKIT_STD_ERRORS
  return {value, std::system_category()};
#else
  return {value, host_category()};
#endif
}

errc classify(const ErrorCode& code) noexcept {
  if (!code) return errc{};
  if (code.category() == error_category()) return condition_of(static_cast<failure>(code.value()));
#if SOCKKIT_STD_ERRORS
  // Host errors (std::errc, the kernel on Linux, threads and files anywhere)
  // are errno-style on every stack; a stack's own category goes to its sys layer.
  if (code.category() == std::system_category() || code.category() == std::generic_category())
    return sys::errno_condition(code.value()).value_or(errc{});
  if (auto c = sys::classify(code)) return *c;
  // Protocol categories (MQTT) name their portable condition themselves.
  const std::error_condition own = code.default_error_condition();
  if (own.category() == condition_category()) return static_cast<errc>(own.value());
  return errc{};
#else
  if (auto c = sys::classify(code)) return *c;
  return code.default_error_condition();  // the host's errno, a protocol's (MQTT) own
#endif
}

const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::would_block:
      return "would_block";
    case errc::in_progress:
      return "in_progress";
    case errc::connection_refused:
      return "connection_refused";
    case errc::connection_reset:
      return "connection_reset";
    case errc::connection_aborted:
      return "connection_aborted";
    case errc::peer_closed:
      return "peer_closed";
    case errc::not_connected:
      return "not_connected";
    case errc::already_connected:
      return "already_connected";
    case errc::timed_out:
      return "timed_out";
    case errc::address_in_use:
      return "address_in_use";
    case errc::address_not_available:
      return "address_not_available";
    case errc::host_unreachable:
      return "host_unreachable";
    case errc::network_unreachable:
      return "network_unreachable";
    case errc::too_many_sockets:
      return "too_many_sockets";
    case errc::no_buffer_space:
      return "no_buffer_space";
    case errc::not_supported:
      return "not_supported";
    case errc::message_too_large:
      return "message_too_large";
    case errc::permission_denied:
      return "permission_denied";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::name_not_resolved:
      return "name_not_resolved";
    case errc::limit_exceeded:
      return "limit_exceeded";
    case errc::truncated:
      return "truncated";
    case errc::bad_descriptor:
      return "bad_descriptor";
    case errc::tls_untrusted:
      return "tls_untrusted";
    case errc::tls_expired:
      return "tls_expired";
    case errc::tls_host_mismatch:
      return "tls_host_mismatch";
    case errc::tls_handshake_failed:
      return "tls_handshake_failed";
    case errc::tls_truncated:
      return "tls_truncated";
    case errc::tls_protocol_error:
      return "tls_protocol_error";
    case errc::protocol_error:
      return "protocol_error";
  }
  return "unclassified";
}

}  // namespace sockkit
