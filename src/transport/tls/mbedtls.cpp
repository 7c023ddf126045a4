// SPDX-License-Identifier: MIT
// TLS through mbedTLS (2.28, TLS 1.2). Its I/O callbacks call the plain
// transport, so the same code runs on Linux and on lwIP; its random numbers
// come from sockkit's entropy seam (a device's port provides the source).
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/net_sockets.h>  // the MBEDTLS_ERR_NET_* codes its I/O callbacks return
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_internal.h>  // the handshake state: was the session resumed?
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "socket/ip_text.hpp"
#include "sockkit/entropy.hpp"
#include "sockkit/event_loop.hpp"
#include "transport/tls/common.hpp"
#include "transport/tls/host_name.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {
namespace {

#if defined(MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED) && defined(MBEDTLS_CHACHAPOLY_C)
#define SOCKKIT_MBEDTLS_PSK 1
#else
#define SOCKKIT_MBEDTLS_PSK 0
#endif
// Forward secrecy and AEAD only, as on the OpenSSL backend. TLS-PSK first,
// where this mbedTLS has it: the ECDHE exchange (a session key of its own)
// and an AEAD, as OpenSSL's side offers; a PSK server with a certificate
// takes the whole list, a PSK client offers the PSK suite alone, and every
// other context starts after it.
constexpr int kAllCipherSuites[] = {
#if SOCKKIT_MBEDTLS_PSK
    MBEDTLS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
#endif
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};
constexpr const int* kCipherSuites = kAllCipherSuites + SOCKKIT_MBEDTLS_PSK;
#if SOCKKIT_MBEDTLS_PSK
constexpr int kPskCipherSuites[] = {MBEDTLS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256, 0};
#endif

// A whole PEM file, NUL-terminated as mbedTLS's parsers want it. Read with C
// stdio rather than mbedTLS's MBEDTLS_FS_IO, which a device build leaves out
// (it also lists directories, which newlib cannot).
std::optional<std::string> read_pem(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  std::string text;
  char chunk[1024];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;)
    text.append(chunk, n);
  const bool ok = std::ferror(f) == 0;
  std::fclose(f);
  if (!ok) return std::nullopt;
  text.push_back('\0');
  return text;
}

// PEM from a file, or the text given instead (NUL-terminated for mbedTLS).
std::optional<std::string> pem_of(const std::string& path, const std::string& text) {
  if (path.empty()) return text + '\0';
  return read_pem(path);
}

// `partial`: a CA bundle may hold certificates this build cannot use (a curve
// or a signature it leaves out); the others still count, if there are any.
bool parse_certificates(mbedtls_x509_crt& chain, const std::optional<std::string>& pem,
                        bool partial = false) {
  if (!pem) return false;
  const int failed = mbedtls_x509_crt_parse(
      &chain, reinterpret_cast<const unsigned char*>(pem->data()), pem->size());
  return failed == 0 || (partial && failed > 0 && chain.raw.len > 0);
}

bool parse_key(mbedtls_pk_context& key, const std::optional<std::string>& pem) {
  return pem && mbedtls_pk_parse_key(&key, reinterpret_cast<const unsigned char*>(pem->data()),
                                     pem->size(), nullptr, 0) == 0;
}

int entropy_from_sockkit(void*, unsigned char* out, std::size_t size) {
  return random_bytes(std::as_writable_bytes(std::span(out, size))) ? 0 : -1;
}

ErrorCode from_verify_flags(std::uint32_t flags) {
  if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
    return make_error_code(failure::tls_certificate_expired);
  if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) return make_error_code(failure::tls_host_mismatch);
  return make_error_code(failure::tls_certificate_untrusted);
}

ErrorCode from_alert(unsigned char alert) {
  switch (alert) {
    case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
    case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
    case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
    case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
      return make_error_code(failure::tls_certificate_untrusted);
    case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
      return make_error_code(failure::tls_certificate_expired);
    case 116:  // certificate_required (TLS 1.3's alert, sent by OpenSSL servers)
      return make_error_code(failure::tls_certificate_required);
    case MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR:
    case MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE:
    case MBEDTLS_SSL_ALERT_MSG_BAD_RECORD_MAC:
    case MBEDTLS_SSL_ALERT_MSG_RECORD_OVERFLOW:
      return make_error_code(failure::tls_protocol_error);
    default:
      return make_error_code(failure::tls_handshake_failed);
  }
}

class MbedEngine;

class MbedSession final : public TlsSession {
 public:
  MbedSession(MbedEngine& engine, NativeHandle socket, std::string server_name)
      : engine_(engine), socket_(socket), server_name_(std::move(server_name)) {
    mbedtls_ssl_init(&ssl_);
  }
  ~MbedSession() override { mbedtls_ssl_free(&ssl_); }
  MbedSession(const MbedSession&) = delete;
  MbedSession& operator=(const MbedSession&) = delete;

  Status setup(const mbedtls_ssl_config& config, const mbedtls_ssl_session* cached,
               bool client) noexcept;

  Status handshake() noexcept override;

  Result<std::size_t> read(std::span<std::byte> into) noexcept override {
    const int r =
        mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(into.data()), into.size());
    if (r > 0) return static_cast<std::size_t>(r);
    if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return std::size_t{0};
    if (r == 0 || r == MBEDTLS_ERR_SSL_CONN_EOF)  // transport EOF without close_notify
      return socket_error_ ? socket_error_ : make_error_code(failure::tls_truncated);
    return fail(r, false);
  }

  Result<std::size_t> write(std::span<const std::byte> data) noexcept override {
    // After WANT_WRITE mbedTLS must be called with the very same length: it
    // finishes the record it built and reports that many bytes.
    std::size_t size = data.size();
    if (pending_write_ > 0 && pending_write_ <= size) size = pending_write_;
    const int r =
        mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(data.data()), size);
    if (r >= 0) {
      pending_write_ = 0;
      return static_cast<std::size_t>(r);
    }
    if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ) pending_write_ = size;
    return fail(r, false);
  }

  Status close_notify() noexcept override {
    const int r = mbedtls_ssl_close_notify(&ssl_);
    if (r == 0) return {};
    return fail(r, false);
  }

  unsigned wants() const noexcept override { return wants_; }
  bool has_buffered_input() const noexcept override {
    return mbedtls_ssl_get_bytes_avail(&ssl_) > 0 || mbedtls_ssl_check_pending(&ssl_) != 0;
  }
  TlsInfo info() const override;
  const TlsOptions& engine_options() const noexcept;

  // The I/O callbacks mbedTLS calls.
  static int send_cb(void* self, const unsigned char* data, std::size_t size);
  static int receive_cb(void* self, unsigned char* into, std::size_t size);
  // Checks the server's certificate names the host by sockkit's rule (its
  // IP entries for an address, which mbedTLS 2.28 does not check; its DNS
  // names by host_name.hpp, where mbedTLS's own wildcards cover "*.test").
  static int verify_name_cb(void* self, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags);

 private:
  ErrorCode fail(int code, bool handshaking) noexcept;

  MbedEngine& engine_;
  NativeHandle socket_;
  std::string server_name_;
  mbedtls_ssl_context ssl_;
  ErrorCode socket_error_;
  std::size_t pending_write_ = 0;
  unsigned wants_ = io::readable;
  bool resumed_ = false;
  tls::HandshakeMeter meter_;
};

class MbedEngine final : public TlsEngine {
 public:
  explicit MbedEngine(const TlsOptions& options, bool server) : options_(options), server_(server) {
    mbedtls_ssl_config_init(&config_);
    mbedtls_ctr_drbg_init(&drbg_);
    mbedtls_x509_crt_init(&ca_);
    mbedtls_x509_crt_init(&own_cert_);
    mbedtls_pk_init(&own_key_);
    mbedtls_ssl_cache_init(&cache_);
    mbedtls_ssl_ticket_init(&tickets_);
  }
  ~MbedEngine() override {
    for (auto& [name, session] : sessions_)
      mbedtls_ssl_session_free(&session);
    mbedtls_ssl_ticket_free(&tickets_);
    mbedtls_ssl_cache_free(&cache_);
    mbedtls_pk_free(&own_key_);
    mbedtls_x509_crt_free(&own_cert_);
    mbedtls_x509_crt_free(&ca_);
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_ssl_config_free(&config_);
  }
  MbedEngine(const MbedEngine&) = delete;
  MbedEngine& operator=(const MbedEngine&) = delete;

  Status configure() noexcept;
  /// TLS-PSK: the key, the identity and the exchanges that use them.
  Status configure_psk() noexcept;
  const TlsOptions& options() const noexcept { return options_; }

  Result<std::unique_ptr<TlsSession>> open(NativeHandle socket,
                                           std::string_view server_name) noexcept override {
    std::string name(
        tls::without_final_dot(server_name.empty() ? options_.server_name : server_name));
    if (!server_ && !options_.insecure_skip_verify && name.empty())
      return make_error_code(
          failure::tls_no_server_name);  // nothing to check the certificate against
    auto* session = new (std::nothrow) MbedSession(*this, socket, name);
    if (session == nullptr) return make_error(std::errc::not_enough_memory);
    std::unique_ptr<TlsSession> owned(session);
    const mbedtls_ssl_session* cached = nullptr;
    if (!server_ && options_.session_resumption) {
      auto it = sessions_.find(name);
      if (it != sessions_.end()) cached = &it->second;
    }
    if (auto st = session->setup(config_, cached, !server_); !st) return st.error();
    return owned;
  }

  /// Keeps a client's session for the next connect to the same name.
  void remember(const std::string& name, const mbedtls_ssl_context& ssl) noexcept {
    if (server_ || !options_.session_resumption) return;
    auto [it, fresh] = sessions_.try_emplace(name);
    if (fresh)
      mbedtls_ssl_session_init(&it->second);
    else
      mbedtls_ssl_session_reset_contents(it->second);
    if (mbedtls_ssl_get_session(&ssl, &it->second) != 0) {
      mbedtls_ssl_session_free(&it->second);
      sessions_.erase(it);
    }
  }

 private:
  static void mbedtls_ssl_session_reset_contents(mbedtls_ssl_session& s) noexcept {
    mbedtls_ssl_session_free(&s);
    mbedtls_ssl_session_init(&s);
  }

  TlsOptions options_;
  bool server_;
  mbedtls_ssl_config config_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_x509_crt ca_;
  mbedtls_x509_crt own_cert_;
  mbedtls_pk_context own_key_;
  mbedtls_ssl_cache_context cache_;
  mbedtls_ssl_ticket_context tickets_;
  std::vector<std::string> alpn_names_;
  std::vector<const char*> alpn_list_;  // null-terminated, into alpn_names_
  std::map<std::string, mbedtls_ssl_session> sessions_;
};

Status MbedEngine::configure() noexcept {
  const auto bad = make_error_code(failure::tls_configuration);
  if (options_.min_version == TlsVersion::tls1_3)
    return make_error_code(failure::backend_unavailable);  // mbedTLS 2.28 speaks TLS 1.2
  static const unsigned char kPersonal[] = "sockkit";
  if (mbedtls_ctr_drbg_seed(&drbg_, entropy_from_sockkit, nullptr, kPersonal, sizeof kPersonal) !=
      0)
    return make_error(std::errc::resource_unavailable_try_again);
  if (mbedtls_ssl_config_defaults(&config_, server_ ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT) != 0)
    return bad;
  mbedtls_ssl_conf_rng(&config_, mbedtls_ctr_drbg_random, &drbg_);
  mbedtls_ssl_conf_min_version(&config_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ciphersuites(&config_, kCipherSuites);
  if (auto st = configure_psk(); !st) return st;
#if defined(MBEDTLS_SSL_RENEGOTIATION)  // the embedded profile leaves it out altogether
  mbedtls_ssl_conf_renegotiation(&config_, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
#endif
  // A build with receive buffers smaller than a full record (the embedded
  // profile) must have the server send small records: ask for it.
  // (mbedTLS negotiates the lesser of its two buffer sizes.)
  constexpr unsigned kSmallerBuffer = MBEDTLS_SSL_IN_CONTENT_LEN < MBEDTLS_SSL_OUT_CONTENT_LEN
                                          ? MBEDTLS_SSL_IN_CONTENT_LEN
                                          : MBEDTLS_SSL_OUT_CONTENT_LEN;
  unsigned fragment = options_.max_fragment_length;
#if defined(SOCKKIT_MBEDTLS_FRAGMENT)  // the profile's choice (its buffers shrink to it)
  if (fragment == 0) fragment = SOCKKIT_MBEDTLS_FRAGMENT;
#endif
  if (fragment == 0 && kSmallerBuffer < 16384)
    for (unsigned size : {4096u, 2048u, 1024u, 512u})
      if (fragment == 0 && size <= kSmallerBuffer) fragment = size;
  if (!server_ && fragment != 0) {
    const unsigned char code = tls::max_fragment_code(fragment);
    if (code == 0 || mbedtls_ssl_conf_max_frag_len(&config_, code) != 0) return bad;
  }

  const auto unreadable = make_error_code(failure::tls_file_unreadable);
  if (!tls::credentials_consistent(options_)) return bad;
  if (tls::has_own_certificate(options_)) {
    if (!parse_certificates(own_cert_,
                            pem_of(options_.certificate_file, options_.certificate_pem)) ||
        !parse_key(own_key_, pem_of(options_.private_key_file, options_.private_key_pem)))
      return unreadable;
    if (mbedtls_pk_check_pair(&own_cert_.pk, &own_key_) != 0)
      return make_error_code(failure::tls_key_mismatch);
    if (mbedtls_ssl_conf_own_cert(&config_, &own_cert_, &own_key_) != 0) return bad;
  } else if (server_ && options_.psk.empty()) {
    return bad;
  }

  // A PSK client offers only PSK exchanges: no certificate ever comes to check.
  const bool verify_peer = server_ ? options_.require_client_certificate
                                   : !options_.insecure_skip_verify && options_.psk.empty();
  if (verify_peer) {
    bool loaded = false;
    if (!options_.ca_file.empty() || !options_.ca_pem.empty()) {
      if (!parse_certificates(ca_, pem_of(options_.ca_file, options_.ca_pem), true))
        return unreadable;
      loaded = true;
    }
    if (!options_.ca_directory.empty()) {
#if defined(MBEDTLS_FS_IO)
      if (mbedtls_x509_crt_parse_path(&ca_, options_.ca_directory.c_str()) < 0) return unreadable;
      loaded = true;
#else
      return make_error_code(failure::backend_unavailable);  // no directories on this build
#endif
    }
    if (!loaded) {
      if (server_) return bad;  // client certificates need the CA that issues them
      // The system's bundle (Debian: ca-certificates); a device names its own file.
      if (!parse_certificates(ca_, read_pem("/etc/ssl/certs/ca-certificates.crt"), true))
        return unreadable;
    }
    mbedtls_ssl_conf_ca_chain(&config_, &ca_, nullptr);
    mbedtls_ssl_conf_authmode(&config_, MBEDTLS_SSL_VERIFY_REQUIRED);
  } else {
    mbedtls_ssl_conf_authmode(&config_, MBEDTLS_SSL_VERIFY_NONE);
  }

  if (!options_.alpn.empty()) {
    if (!tls::alpn_wire_format(options_.alpn)) return bad;  // the same limits as OpenSSL's
    alpn_names_ = options_.alpn;
    for (const auto& name : alpn_names_)
      alpn_list_.push_back(name.c_str());
    alpn_list_.push_back(nullptr);
    if (mbedtls_ssl_conf_alpn_protocols(&config_, alpn_list_.data()) != 0) return bad;
  }

  if (server_ && options_.session_resumption) {
    mbedtls_ssl_conf_session_cache(&config_, &cache_, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
    if (mbedtls_ssl_ticket_setup(&tickets_, mbedtls_ctr_drbg_random, &drbg_,
                                 MBEDTLS_CIPHER_AES_256_GCM, 86400) != 0)
      return bad;
    mbedtls_ssl_conf_session_tickets_cb(&config_, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse, &tickets_);
  } else if (!options_.session_resumption) {
    mbedtls_ssl_conf_session_tickets(&config_, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
  }
  return {};
}

Status MbedEngine::configure_psk() noexcept {
  if (options_.psk.empty()) return {};
#if SOCKKIT_MBEDTLS_PSK
  if (options_.psk.size() > MBEDTLS_PSK_MAX_LEN) return make_error_code(failure::tls_configuration);
  const auto* key = reinterpret_cast<const unsigned char*>(options_.psk.data());
  if (!server_) {
    mbedtls_ssl_conf_ciphersuites(&config_, kPskCipherSuites);
    const auto* identity = reinterpret_cast<const unsigned char*>(options_.psk_identity.data());
    return mbedtls_ssl_conf_psk(&config_, key, options_.psk.size(), identity,
                                options_.psk_identity.size()) == 0
               ? Status{}
               : make_error_code(failure::tls_configuration);
  }
  mbedtls_ssl_conf_ciphersuites(
      &config_, tls::has_own_certificate(options_) ? kAllCipherSuites : kPskCipherSuites);
  // The key only for the identity it goes by; any other fails the handshake.
  mbedtls_ssl_conf_psk_cb(
      &config_,
      [](void* self, mbedtls_ssl_context* ssl, const unsigned char* id, std::size_t size) {
        const TlsOptions& o = static_cast<MbedEngine*>(self)->options_;
        if (std::string_view(reinterpret_cast<const char*>(id), size) != o.psk_identity) return -1;
        return mbedtls_ssl_set_hs_psk(ssl, reinterpret_cast<const unsigned char*>(o.psk.data()),
                                      o.psk.size());
      },
      this);
  return {};
#else
  return make_error_code(failure::backend_unavailable);      // this mbedTLS build has no ECDHE-PSK
#endif
}

Status MbedSession::setup(const mbedtls_ssl_config& config, const mbedtls_ssl_session* cached,
                          bool client) noexcept {
  if (mbedtls_ssl_setup(&ssl_, &config) != 0) return make_error(std::errc::not_enough_memory);
  const bool by_address = tls::is_ip_literal(server_name_);
  if (client && !server_name_.empty() && !by_address &&
      mbedtls_ssl_set_hostname(&ssl_, server_name_.c_str()) != 0)
    return make_error_code(failure::tls_configuration);
  if (client && !server_name_.empty()) mbedtls_ssl_set_verify(&ssl_, verify_name_cb, this);
  if (cached != nullptr) (void)mbedtls_ssl_set_session(&ssl_, cached);  // else a full handshake
  mbedtls_ssl_set_bio(&ssl_, this, send_cb, receive_cb, nullptr);
  return {};
}

Status MbedSession::handshake() noexcept {
  // Step by step, to see whether the server accepted our cached session before
  // mbedTLS frees its handshake state.
  while (ssl_.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
    if (ssl_.handshake != nullptr && ssl_.handshake->resume) resumed_ = true;
    const int r = mbedtls_ssl_handshake_step(&ssl_);
    if (r != 0) return fail(r, true);
  }
  meter_.done = true;
  engine_.remember(server_name_, ssl_);
  return {};
}

ErrorCode MbedSession::fail(int code, bool handshaking) noexcept {
  switch (code) {
    case MBEDTLS_ERR_SSL_WANT_READ:
      wants_ = io::readable;
      return make_error(std::errc::operation_would_block);
    case MBEDTLS_ERR_SSL_WANT_WRITE:
      wants_ = io::writable;
      return make_error(std::errc::operation_would_block);
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
      return from_verify_flags(mbedtls_ssl_get_verify_result(&ssl_));
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
      return from_alert(ssl_.in_msg != nullptr ? ssl_.in_msg[1] : 0);
    case MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE:
      // mbedTLS ends here without telling the client why; say it, as OpenSSL does.
      (void)mbedtls_ssl_send_alert_message(&ssl_, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                           MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
      return make_error_code(failure::tls_certificate_required);
    case MBEDTLS_ERR_SSL_INVALID_RECORD:
    case MBEDTLS_ERR_SSL_INVALID_MAC:
    case MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE:
    case MBEDTLS_ERR_SSL_UNEXPECTED_RECORD:
    case MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO:
    case MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE:
    case MBEDTLS_ERR_SSL_BAD_INPUT_DATA:
      return socket_error_ ? socket_error_ : make_error_code(failure::tls_protocol_error);
    case MBEDTLS_ERR_SSL_CONN_EOF:
      if (socket_error_) return socket_error_;
      return make_error_code(handshaking ? failure::tls_handshake_failed : failure::tls_truncated);
    default:
      if (socket_error_) return socket_error_;
      return make_error_code(failure::tls_handshake_failed);
  }
}

int MbedSession::send_cb(void* self, const unsigned char* data, std::size_t size) {
  auto* s = static_cast<MbedSession*>(self);
  auto n = transport::send(s->socket_, std::as_bytes(std::span(data, size)));
  if (n) {
    s->meter_.on_sent(*n);
    return static_cast<int>(*n);
  }
  if (n.error() == errc::would_block) return MBEDTLS_ERR_SSL_WANT_WRITE;
  s->socket_error_ = n.error();
  return MBEDTLS_ERR_NET_SEND_FAILED;
}

int MbedSession::receive_cb(void* self, unsigned char* into, std::size_t size) {
  auto* s = static_cast<MbedSession*>(self);
  auto n = transport::receive(s->socket_, std::as_writable_bytes(std::span(into, size)));
  if (n) {
    s->meter_.on_received(*n);
    return static_cast<int>(*n);  // 0: EOF
  }
  if (n.error() == errc::would_block) {
    s->meter_.on_read_would_block();
    return MBEDTLS_ERR_SSL_WANT_READ;
  }
  s->socket_error_ = n.error();
  return MBEDTLS_ERR_NET_RECV_FAILED;
}

const TlsOptions& MbedSession::engine_options() const noexcept {
  return engine_.options();
}

namespace {

bool names_address(const mbedtls_x509_crt& crt, std::string_view address) {
  std::array<std::uint8_t, 16> want{};
  std::size_t want_size = 0;
  if (auto v4 = ip_text::parse_ipv4(address)) {
    std::memcpy(want.data(), v4->data(), 4);
    want_size = 4;
  } else if (auto v6 = ip_text::parse_ipv6(address)) {
    want = *v6;
    want_size = 16;
  }
  constexpr unsigned char kIpAddressTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
  for (const mbedtls_x509_sequence* san = &crt.subject_alt_names; san != nullptr; san = san->next)
    if (san->buf.tag == kIpAddressTag && san->buf.len == want_size &&
        std::memcmp(san->buf.p, want.data(), want_size) == 0)
      return true;
  return false;
}

std::string_view text_of(const mbedtls_x509_buf& buf) {
  return {reinterpret_cast<const char*>(buf.p), buf.len};
}

bool names_host(const mbedtls_x509_crt& crt, std::string_view host, bool accept_subject_cn) {
  constexpr unsigned char kDnsNameTag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;
  bool has_dns_names = false;
  for (const mbedtls_x509_sequence* san = &crt.subject_alt_names; san != nullptr; san = san->next) {
    if (san->buf.tag != kDnsNameTag || san->buf.p == nullptr) continue;
    has_dns_names = true;
    if (tls::dns_name_matches(text_of(san->buf), host)) return true;
  }
  // The subject's CN only where asked for, and only when there are no DNS names.
  if (!accept_subject_cn || has_dns_names) return false;
  for (const mbedtls_x509_name* n = &crt.subject; n != nullptr; n = n->next)
    if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
        tls::dns_name_matches(text_of(n->val), host))
      return true;
  return false;
}

}  // namespace

int MbedSession::verify_name_cb(void* self, mbedtls_x509_crt* crt, int depth,
                                std::uint32_t* flags) {
  if (depth != 0) return 0;  // only the server's own certificate names it
  const auto* session = static_cast<MbedSession*>(self);
  const std::string& name = session->server_name_;
  const bool named = tls::is_ip_literal(name)
                         ? names_address(*crt, name)
                         : names_host(*crt, name, session->engine_options().accept_subject_cn);
  if (named)
    *flags &= ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_CN_MISMATCH);
  else
    *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
  return 0;
}

TlsInfo MbedSession::info() const {
  TlsInfo info;
  info.version = mbedtls_ssl_get_version(&ssl_);
  info.cipher = mbedtls_ssl_get_ciphersuite(&ssl_);
  if (const mbedtls_x509_crt* peer = mbedtls_ssl_get_peer_cert(&ssl_)) {
    char subject[256];
    if (mbedtls_x509_dn_gets(subject, sizeof subject, &peer->subject) > 0)
      info.peer_subject = subject;
  }
  if (const char* alpn = mbedtls_ssl_get_alpn_protocol(&ssl_)) info.alpn = alpn;
  info.resumed = resumed_;
  info.handshake_bytes_sent = meter_.sent;
  info.handshake_bytes_received = meter_.received;
  info.handshake_round_trips = meter_.round_trips;
  return info;
}

}  // namespace

Result<std::unique_ptr<TlsEngine>> make_mbedtls_engine(const TlsOptions& options,
                                                       bool server) noexcept {
  auto engine = std::unique_ptr<MbedEngine>(new (std::nothrow) MbedEngine(options, server));
  if (!engine) return make_error(std::errc::not_enough_memory);
  if (auto st = engine->configure(); !st) return st.error();
  return std::unique_ptr<TlsEngine>(std::move(engine));
}

}  // namespace sockkit::transport
