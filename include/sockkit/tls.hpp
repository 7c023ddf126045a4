// SPDX-License-Identifier: MIT
/// @file
/// TLS for Server, Client and ReconnectingClient connections.
///
/// A TlsContext holds certificates, trust and caches; give it to a Server
/// (ServerOptions::tls) or a connect (ConnectOptions::tls) and the same handler
/// code runs over TLS: on_open comes after the handshake, on_data sees
/// plaintext, on_close says why (sockkit::errc::tls_* for TLS failures).
///
///       auto tls = sockkit::TlsContext::client({.ca_file = "ca.pem"});
///       client->connect(broker, 10s, {.tls = *tls, .server_name = "broker.example.com"});
///
/// Certificates are verified by default; only insecure_skip_verify turns that off.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// The TLS library behind a context; which ones exist is chosen at configure
/// time (SOCKKIT_TLS).
enum class TlsBackend { openssl, mbedtls };

/// True if this build has `backend`. In a shared build each TLS library's
/// engine is a plugin, loaded here on first use: true if it is installed
/// (the Debian package libsockkit0-openssl or libsockkit0-mbedtls).
/// @param backend the TLS library. @return whether this build has it.
bool tls_backend_available(TlsBackend backend) noexcept;
/// OpenSSL where available, else mbedTLS. Without either, creating a context
/// fails with failure::backend_unavailable.
/// @return the default TLS library.
TlsBackend default_tls_backend() noexcept;
/// "openssl" or "mbedtls".
/// @param backend the TLS library. @return its name (static text).
const char* to_string(TlsBackend backend) noexcept;
/// The backend of that name ("openssl", "mbedtls").
///
///     auto b = sockkit::parse_tls_backend("mbedtls");
///
/// @param name "openssl" or "mbedtls". @return the backend, or errc::invalid_argument.
Result<TlsBackend> parse_tls_backend(std::string_view name) noexcept;

/// The lowest protocol version a context accepts. TLS 1.2 is the floor.
enum class TlsVersion { tls1_2, tls1_3 };

/// Everything a TLS context is made of. Files are PEM.
struct TlsOptions {
  TlsBackend backend =
      default_tls_backend();  ///< openssl or mbedtls; what the build has by default.
  /// Our certificate chain and its key: required for a server; a client's for mutual TLS.
  std::string certificate_file{};
  std::string private_key_file{};  ///< The key of certificate_file.
  /// Trusted CAs: a client's for servers, a server's for client certificates.
  /// A client with neither uses the system's bundle.
  std::string ca_file{};
  std::string ca_directory{};  ///< CA certificates in a directory (OpenSSL: hashed names).
  /// The same as PEM text instead of files, for a device that keeps its
  /// credentials in flash and has no file system. A file and its text together
  /// are errc::tls_configuration.
  ///
  ///     extern const char kDeviceCert[], kDeviceKey[], kBrokerCa[];  // PEM, in flash
  ///     auto tls = sockkit::TlsContext::client(
  ///         {.certificate_pem = kDeviceCert, .private_key_pem = kDeviceKey, .ca_pem = kBrokerCa});
  std::string certificate_pem{};
  std::string private_key_pem{};  ///< The key of certificate_pem, PEM text.
  std::string ca_pem{};           ///< Trusted CA certificates, PEM text.
  /// Server: every client must present a certificate from ca_file / ca_directory.
  bool require_client_certificate = false;
  /// Client: the name sent as SNI and checked against the server's certificate
  /// (a host name, or an IP address checked against the certificate's IP
  /// entries). A connect may override it (ConnectOptions::server_name).
  std::string server_name{};
  /// Application protocols offered (client) or accepted (server), in order of preference.
  std::vector<std::string> alpn{};
  TlsVersion min_version = TlsVersion::tls1_2;  ///< Oldest version accepted.
  /// A connection whose handshake has not finished by then is closed.
  std::chrono::milliseconds handshake_timeout{10000};
  /// Client: reuse the last session with each server (an abbreviated
  /// handshake); server: issue tickets and keep a session cache.
  bool session_resumption = true;
  /// Client: ask the server for records of at most this many bytes (512,
  /// 1024, 2048 or 4096; the max_fragment_length extension), so small receive
  /// buffers suffice. 0: do not ask — except in the embedded mbedTLS profile,
  /// which asks for its buffer size itself.
  std::uint16_t max_fragment_length = 0;
  /// Client: accept any certificate and any name. INSECURE: for tests and
  /// for pinning done by the application itself.
  bool insecure_skip_verify = false;
  /// Client: for legacy devices only — when the server's certificate has no
  /// DNS names at all, accept its subject's common name (CN) as one. Off by
  /// default, as RFC 9525 asks: a certificate names its host in subjectAltName.
  bool accept_subject_cn = false;
  /// TLS-PSK: a key shared in advance authenticates both ends instead of
  /// certificates (the ECDHE-PSK exchange, so each session still has its own
  /// keys). Client: the key, sent under psk_identity; it offers only PSK
  /// exchanges then. Server: the key it accepts from a client naming
  /// psk_identity (any other identity fails the handshake); a certificate is
  /// optional. Raw bytes, 1 to 64 (hex text from a command line:
  /// parse_psk_hex()); mbedTLS takes at most MBEDTLS_PSK_MAX_LEN (32 in
  /// Debian's build).
  ///
  ///     auto tls = sockkit::TlsContext::client(
  ///         {.psk = *sockkit::parse_psk_hex("0123456789abcdef"), .psk_identity = "meter-17"});
  std::string psk{};
  std::string psk_identity{};  ///< The name the key goes by, 1 to 128 bytes.
};

/// A TLS-PSK key from hexadecimal text, as mosquitto's --psk takes it.
/// @param hex an even number of hex digits (no "0x").
/// @return the key's bytes, or failure::tls_configuration.
Result<std::string> parse_psk_hex(std::string_view hex) noexcept;

/// What a connection's handshake agreed on.
struct TlsInfo {
  std::string version{};       ///< "TLSv1.3"
  std::string cipher{};        ///< "TLS_AES_256_GCM_SHA384"
  std::string peer_subject{};  ///< The peer certificate's subject; empty if none, or if the
                               ///< backend keeps none (the embedded mbedTLS profile).
  std::string alpn{};          ///< The protocol chosen, or empty.
  bool resumed = false;        ///< An abbreviated handshake from a cached session.
  /// What the handshake cost on the wire (TLS records, not TCP/IP headers):
  /// what a resumed session saves on a link paid per byte or per round trip.
  std::uint64_t handshake_bytes_sent = 0;
  std::uint64_t handshake_bytes_received = 0;  ///< Handshake bytes read from peers.
  unsigned handshake_round_trips = 0;          ///< Times we sent and then had to wait for the peer.
};

/// Certificates, trust and session caches for many connections. Shared by
/// every connection made with it; lives as long as the longest of them. Its
/// caches and random generator are not locked: use a context from one loop's
/// thread (give each loop its own).
class TlsContext {
 public:
  /// A client context. Errors: tls_file_unreadable (a file missing,
  /// unreadable or not PEM), tls_key_mismatch (the key is not the
  /// certificate's), tls_configuration (a setting that cannot be used),
  /// not_supported (backend not in this build); all are invalid_argument.
  ///
  ///     auto tls = sockkit::TlsContext::client({.ca_file = "ca.pem", .alpn = {"mqtt"}});
  ///
  /// @param options verification, credentials, ALPN, server name, backend.
  /// @return the context, shared by every connection that uses it; or the errors above.
  static Result<std::shared_ptr<TlsContext>> client(const TlsOptions& options) noexcept;
  /// A server context: certificate_file and private_key_file are required.
  ///
  ///     auto tls = sockkit::TlsContext::server({.certificate_file = "cert.pem",
  ///                                           .private_key_file = "key.pem"});
  ///
  /// @param options credentials, client verification, ALPN, backend.
  /// @return the context; or the errors of client().
  static Result<std::shared_ptr<TlsContext>> server(const TlsOptions& options) noexcept;
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  /// Made by TlsContext::server().
  /// @return whether it is a server context.
  bool is_server() const noexcept { return server_; }
  /// What it was made from.
  /// @return the options.
  const TlsOptions& options() const noexcept { return options_; }

 protected:
  /// client() and server() make the library's own derived type, which holds
  /// the TLS library's side of the context.
  /// @param options what it is made from. @param server whether it serves.
  TlsContext(TlsOptions options, bool server) noexcept;

 private:
  static Result<std::shared_ptr<TlsContext>> create(const TlsOptions& options,
                                                    bool server) noexcept;
  TlsOptions options_;
  bool server_;
};

}  // namespace sockkit

#pragma GCC visibility pop
