// SPDX-License-Identifier: MIT
// TLS through OpenSSL 3. The socket is reached through a BIO of our own that
// calls the plain transport, so OpenSSL never touches a descriptor itself (the
// same code runs over lwIP) and would-block comes back as a retry, not an error.
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "sockkit/event_loop.hpp"
#include "transport/tls/common.hpp"
#include "transport/tls/host_name.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const noexcept { SSL_free(s); }
};
struct SessionFree {
  void operator()(SSL_SESSION* s) const noexcept { SSL_SESSION_free(s); }
};

// -- The BIO: OpenSSL's reads and writes go to the plain transport.

struct BioState {
  NativeHandle socket;
  ErrorCode last_error;  // a socket error OpenSSL only sees as "syscall failed"
  bool eof = false;
  tls::HandshakeMeter meter;
};

int bio_write(BIO* bio, const char* data, int size) {
  auto* st = static_cast<BioState*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  auto n =
      transport::send(st->socket, std::as_bytes(std::span(data, static_cast<std::size_t>(size))));
  if (n) {
    st->meter.on_sent(*n);
    return static_cast<int>(*n);
  }
  if (n.error() == errc::would_block) {
    BIO_set_retry_write(bio);
  } else {
    st->last_error = n.error();
  }
  return -1;
}

int bio_read(BIO* bio, char* data, int size) {
  auto* st = static_cast<BioState*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  auto n = transport::receive(
      st->socket, std::as_writable_bytes(std::span(data, static_cast<std::size_t>(size))));
  if (n) {
    if (*n == 0) st->eof = true;
    st->meter.on_received(*n);
    return static_cast<int>(*n);
  }
  if (n.error() == errc::would_block) {
    st->meter.on_read_would_block();
    BIO_set_retry_read(bio);
  } else {
    st->last_error = n.error();
  }
  return -1;
}

long bio_ctrl(BIO*, int command, long, void*) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;  // writes go straight to the socket
}

const BIO_METHOD* bio_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sockkit");
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, [](BIO* b) {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  return method;
}

// -- Errors: OpenSSL's reasons and verify results as sockkit's failures.

ErrorCode from_verify_result(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return make_error_code(failure::tls_certificate_expired);
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return make_error_code(failure::tls_host_mismatch);
    default:
      return make_error_code(failure::tls_certificate_untrusted);
  }
}

ErrorCode from_reason(int reason) {
  switch (reason) {
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
      return make_error_code(failure::tls_certificate_untrusted);
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
      return make_error_code(failure::tls_certificate_expired);
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return make_error_code(failure::tls_certificate_required);
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      return make_error_code(failure::tls_truncated);
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_UNEXPECTED_MESSAGE:
    case SSL_R_UNEXPECTED_RECORD:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_RECORD_LENGTH_MISMATCH:
    case SSL_R_LENGTH_MISMATCH:
    case SSL_R_BAD_PACKET_LENGTH:
    case SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC:
    case SSL_R_BAD_RECORD_TYPE:
    case SSL_R_TLSV1_ALERT_DECODE_ERROR:
    case SSL_R_SSLV3_ALERT_UNEXPECTED_MESSAGE:
    case SSL_R_SSLV3_ALERT_BAD_RECORD_MAC:
    case SSL_R_RECORD_TOO_SMALL:
    case SSL_R_ENCRYPTED_LENGTH_TOO_LONG:
      return make_error_code(failure::tls_protocol_error);
    default:
      return make_error_code(failure::tls_handshake_failed);
  }
}

// -- A session.

class OpenSslSession final : public TlsSession {
 public:
  OpenSslSession(std::unique_ptr<SSL, SslFree> ssl, NativeHandle socket, std::string server_name)
      : ssl_(std::move(ssl)), server_name_(std::move(server_name)) {
    bio_state_.socket = socket;
    BIO* bio = BIO_new(bio_method());
    BIO_set_data(bio, &bio_state_);
    SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns it
    SSL_set_app_data(ssl_.get(), this);
  }

  Status handshake() noexcept override {
    ERR_clear_error();
    const int r = SSL_do_handshake(ssl_.get());
    if (r == 1) {
      bio_state_.meter.done = true;
      return {};
    }
    return fail(r, true);
  }

  Result<std::size_t> read(std::span<std::byte> into) noexcept override {
    ERR_clear_error();
    std::size_t n = 0;
    if (SSL_read_ex(ssl_.get(), into.data(), into.size(), &n) == 1) return n;
    const int error = SSL_get_error(ssl_.get(), 0);
    if (error == SSL_ERROR_ZERO_RETURN) return std::size_t{0};  // close_notify
    return fail(0, false);
  }

  Result<std::size_t> write(std::span<const std::byte> data) noexcept override {
    ERR_clear_error();
    std::size_t n = 0;
    if (SSL_write_ex(ssl_.get(), data.data(), data.size(), &n) == 1) return n;
    return fail(0, false);
  }

  Status close_notify() noexcept override {
    ERR_clear_error();
    const int r = SSL_shutdown(ssl_.get());
    if (r >= 0) return {};  // 0: sent, the peer's not seen yet (we do not wait for it)
    return fail(r, false);
  }

  unsigned wants() const noexcept override { return wants_; }
  bool has_buffered_input() const noexcept override { return SSL_pending(ssl_.get()) > 0; }
  void release_buffers() noexcept override { (void)SSL_free_buffers(ssl_.get()); }
  TlsInfo info() const override;

  const std::string& server_name() const noexcept { return server_name_; }

 private:
  ErrorCode fail(int result, bool handshaking) noexcept;

  std::unique_ptr<SSL, SslFree> ssl_;
  std::string server_name_;
  BioState bio_state_;
  unsigned wants_ = io::readable;
};

class OpenSslEngine final : public TlsEngine {
 public:
  OpenSslEngine(std::unique_ptr<SSL_CTX, SslCtxFree> ctx, const TlsOptions& options, bool server)
      : ctx_(std::move(ctx)), options_(options), server_(server) {}

  Result<std::unique_ptr<TlsSession>> open(NativeHandle socket,
                                           std::string_view server_name) noexcept override {
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx_.get()));
    if (!ssl) return make_error(std::errc::not_enough_memory);
    std::string name(
        tls::without_final_dot(server_name.empty() ? options_.server_name : server_name));
    if (server_) {
      SSL_set_accept_state(ssl.get());
    } else {
      SSL_set_connect_state(ssl.get());
      const bool is_ip = tls::is_ip_literal(name);
      if (!name.empty() && !is_ip) SSL_set_tlsext_host_name(ssl.get(), name.c_str());
      if (!options_.insecure_skip_verify) {
        if (name.empty()) return make_error_code(failure::tls_no_server_name);
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        // host_name.hpp's rule, which the mbedTLS backend applies itself.
        X509_VERIFY_PARAM_set_hostflags(
            param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                       (options_.accept_subject_cn ? 0u : X509_CHECK_FLAG_NEVER_CHECK_SUBJECT));
        const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                             : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
        if (ok != 1) return make_error_code(failure::tls_configuration);
      }
      if (options_.session_resumption) {
        auto cached = sessions_.find(name);
        if (cached != sessions_.end()) SSL_set_session(ssl.get(), cached->second.get());
      }
    }
    auto* session = new (std::nothrow) OpenSslSession(std::move(ssl), socket, name);
    if (session == nullptr) return make_error(std::errc::not_enough_memory);
    return std::unique_ptr<TlsSession>(session);
  }

  // OpenSSL hands over every new client session (TLS 1.3 tickets arrive after
  // the handshake): the newest one per server name is kept for the next connect.
  void remember(const std::string& name, SSL_SESSION* session) { sessions_[name].reset(session); }

  std::string alpn_wire;  // the server's protocols, for select_alpn
  const TlsOptions& options() const noexcept { return options_; }

 private:
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  TlsOptions options_;
  bool server_;
  std::map<std::string, std::unique_ptr<SSL_SESSION, SessionFree>> sessions_;
};

ErrorCode OpenSslSession::fail(int result, bool handshaking) noexcept {
  const int error = SSL_get_error(ssl_.get(), result);
  switch (error) {
    case SSL_ERROR_WANT_READ:
      wants_ = io::readable;
      return make_error(std::errc::operation_would_block);
    case SSL_ERROR_WANT_WRITE:
      wants_ = io::writable;
      return make_error(std::errc::operation_would_block);
    case SSL_ERROR_ZERO_RETURN:
      return make_error_code(failure::closed_by_peer);
    case SSL_ERROR_SYSCALL:
      if (bio_state_.last_error) return bio_state_.last_error;
      return make_error_code(handshaking ? failure::tls_handshake_failed : failure::tls_truncated);
    default:
      break;
  }
  const long verify = SSL_get_verify_result(ssl_.get());
  if (verify != X509_V_OK) return from_verify_result(verify);
  if (bio_state_.last_error) return bio_state_.last_error;
  const unsigned long e = ERR_peek_last_error();
  if (e == 0) return make_error_code(failure::tls_handshake_failed);
  return from_reason(ERR_GET_REASON(e));
}

TlsInfo OpenSslSession::info() const {
  TlsInfo info;
  info.version = SSL_get_version(ssl_.get());
  if (const char* c = SSL_get_cipher_name(ssl_.get())) info.cipher = c;
  if (X509* peer = SSL_get0_peer_certificate(ssl_.get())) {
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof subject);
    info.peer_subject = subject;
  }
  const unsigned char* alpn = nullptr;
  unsigned alpn_size = 0;
  SSL_get0_alpn_selected(ssl_.get(), &alpn, &alpn_size);
  if (alpn != nullptr) info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
  info.resumed = SSL_session_reused(ssl_.get()) == 1;
  info.handshake_bytes_sent = bio_state_.meter.sent;
  info.handshake_bytes_received = bio_state_.meter.received;
  info.handshake_round_trips = bio_state_.meter.round_trips;
  return info;
}

// PEM text in memory, read as OpenSSL reads a file.
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
Bio pem_bio(const std::string& pem) {
  return {BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
}

// The first certificate is ours, the rest its chain, as
// SSL_CTX_use_certificate_chain_file takes them.
bool use_certificate_chain_pem(SSL_CTX* c, const std::string& pem) {
  Bio bio = pem_bio(pem);
  if (!bio) return false;
  X509* leaf = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return false;
  const bool used = SSL_CTX_use_certificate(c, leaf) == 1;
  X509_free(leaf);
  if (!used) return false;
  SSL_CTX_clear_chain_certs(c);
  while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(c, next) != 1) {  // takes `next` on success only
      X509_free(next);
      return false;
    }
  }
  ERR_clear_error();  // the end of the text reads as an error
  return true;
}

bool use_private_key_pem(SSL_CTX* c, const std::string& pem) {
  Bio bio = pem_bio(pem);
  if (!bio) return false;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return false;
  const bool used = SSL_CTX_use_PrivateKey(c, key) == 1;
  EVP_PKEY_free(key);
  return used;
}

// Every certificate in the text becomes trusted (and, for a server asking for
// client certificates, a CA named to clients). False if none could be read.
bool trust_ca_pem(SSL_CTX* c, const std::string& pem, bool name_to_clients) {
  Bio bio = pem_bio(pem);
  if (!bio) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(c);
  int added = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const bool ok = X509_STORE_add_cert(store, ca) == 1 &&
                    (!name_to_clients || SSL_CTX_add_client_CA(c, ca) == 1);
    X509_free(ca);
    if (!ok) return false;
    ++added;
  }
  ERR_clear_error();
  return added > 0;
}

const TlsOptions& options_of(SSL* ssl) {
  return static_cast<OpenSslEngine*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)))->options();
}

// TLS-PSK: the client names its identity and key; the server gives the key
// only to the identity it knows. 0 fails the handshake.
unsigned int psk_for_server_hint(SSL* ssl, const char* /*hint*/, char* identity,
                                 unsigned int max_identity, unsigned char* psk,
                                 unsigned int max_psk) {
  const TlsOptions& o = options_of(ssl);
  if (o.psk_identity.size() >= max_identity || o.psk.size() > max_psk) return 0;
  std::memcpy(identity, o.psk_identity.c_str(), o.psk_identity.size() + 1);
  std::memcpy(psk, o.psk.data(), o.psk.size());
  return static_cast<unsigned int>(o.psk.size());
}

unsigned int psk_for_identity(SSL* ssl, const char* identity, unsigned char* psk,
                              unsigned int max_psk) {
  const TlsOptions& o = options_of(ssl);
  if (identity == nullptr || o.psk_identity != identity || o.psk.size() > max_psk) return 0;
  std::memcpy(psk, o.psk.data(), o.psk.size());
  return static_cast<unsigned int>(o.psk.size());
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* s = static_cast<OpenSslSession*>(SSL_get_app_data(ssl));
  auto* engine = static_cast<OpenSslEngine*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (s == nullptr || engine == nullptr) return 0;
  engine->remember(s->server_name(), session);
  return 1;  // we keep the reference
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
                unsigned in_size, void* arg) {
  const auto* ours = static_cast<const std::string*>(arg);
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_size, reinterpret_cast<const unsigned char*>(ours->data()),
                            static_cast<unsigned>(ours->size()), in,
                            in_size) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // no protocol in common: refuse, as RFC 7301 asks
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

Result<std::unique_ptr<TlsEngine>> make_openssl_engine(const TlsOptions& options,
                                                       bool server) noexcept {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(
      SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) return make_error(std::errc::not_enough_memory);
  SSL_CTX* c = ctx.get();
  const auto bad = make_error_code(failure::tls_configuration);
  SSL_CTX_set_min_proto_version(
      c, options.min_version == TlsVersion::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION);
  // Forward secrecy and AEAD only for TLS 1.2 (TLS 1.3's suites are all of
  // that kind); with a PSK, its ECDHE exchange (a client offers nothing else).
  const bool psk = !options.psk.empty();
  const char* suites = !psk ? "ECDHE+AESGCM:ECDHE+CHACHA20"
                       : server && tls::has_own_certificate(options)
                           ? "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE-PSK-CHACHA20-POLY1305"
                           : "ECDHE-PSK-CHACHA20-POLY1305";
  if (SSL_CTX_set_cipher_list(c, suites) != 1) return bad;
  if (psk) {
    if (server)
      SSL_CTX_set_psk_server_callback(c, psk_for_identity);
    else
      SSL_CTX_set_psk_client_callback(c, psk_for_server_hint);
  }
  SSL_CTX_set_options(
      c, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  // Partial writes: a connection's queue offers whatever it holds; moving
  // buffer: the retry after would-block comes from the queue, not the same
  // pointer. Record buffers are kept while a connection is busy (releasing them
  // after every record costs a malloc and a free per record) and given back
  // when it goes quiet (release_buffers, from the connection layer's sweep).
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const auto unreadable = make_error_code(failure::tls_file_unreadable);
  if (!tls::credentials_consistent(options)) return bad;
  if (tls::has_own_certificate(options)) {
    const bool chain =
        options.certificate_pem.empty()
            ? SSL_CTX_use_certificate_chain_file(c, options.certificate_file.c_str()) == 1
            : use_certificate_chain_pem(c, options.certificate_pem);
    if (!chain) return unreadable;
    ERR_clear_error();
    const bool key = options.private_key_pem.empty()
                         ? SSL_CTX_use_PrivateKey_file(c, options.private_key_file.c_str(),
                                                       SSL_FILETYPE_PEM) == 1
                         : use_private_key_pem(c, options.private_key_pem);
    if (!key) {
      // OpenSSL checks the pair as it loads the key: a readable key of another
      // certificate fails here, with its own reason.
      const bool other_key = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
      ERR_clear_error();
      return make_error_code(other_key ? failure::tls_key_mismatch : failure::tls_file_unreadable);
    }
    if (SSL_CTX_check_private_key(c) != 1) return make_error_code(failure::tls_key_mismatch);
  } else if (server && !psk) {
    return bad;  // a server with neither a certificate nor a PSK cannot be a TLS server
  }
  const char* ca_file = options.ca_file.empty() ? nullptr : options.ca_file.c_str();
  const char* ca_dir = options.ca_directory.empty() ? nullptr : options.ca_directory.c_str();
  const bool ca_text = !options.ca_pem.empty();
  if (server) {
    if (options.require_client_certificate) {
      if (ca_file == nullptr && ca_dir == nullptr && !ca_text) return bad;
      if ((ca_file != nullptr || ca_dir != nullptr) &&
          SSL_CTX_load_verify_locations(c, ca_file, ca_dir) != 1)
        return unreadable;
      if (ca_text && !trust_ca_pem(c, options.ca_pem, true)) return unreadable;
      if (ca_file != nullptr) SSL_CTX_set_client_CA_list(c, SSL_load_client_CA_file(ca_file));
      SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    static const unsigned char kContext[] = "sockkit";
    SSL_CTX_set_session_id_context(c, kContext, sizeof kContext - 1);
    if (!options.session_resumption) {
      SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
      SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
      SSL_CTX_set_num_tickets(c, 0);
    }
  } else {
    if (!options.insecure_skip_verify) {
      const int loaded = (ca_file != nullptr || ca_dir != nullptr)
                             ? SSL_CTX_load_verify_locations(c, ca_file, ca_dir)
                         : ca_text ? 1
                                   : SSL_CTX_set_default_verify_paths(c);
      if (loaded != 1) return unreadable;
      if (ca_text && !trust_ca_pem(c, options.ca_pem, false)) return unreadable;
      SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    } else {
      SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    }
    if (options.max_fragment_length != 0) {
      const auto mfl = tls::max_fragment_code(options.max_fragment_length);
      if (mfl == 0 || SSL_CTX_set_tlsext_max_fragment_length(c, mfl) != 1) return bad;
    }
    if (options.session_resumption) {
      SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
      SSL_CTX_sess_set_new_cb(c, on_new_session);
    }
  }
  auto engine = std::unique_ptr<OpenSslEngine>(new (std::nothrow)
                                                   OpenSslEngine(std::move(ctx), options, server));
  if (!engine) return make_error(std::errc::not_enough_memory);
  SSL_CTX_set_app_data(c, engine.get());
  if (!options.alpn.empty()) {
    auto wire = tls::alpn_wire_format(options.alpn);
    if (!wire) return bad;
    if (server) {
      engine->alpn_wire = std::move(*wire);
      SSL_CTX_set_alpn_select_cb(c, select_alpn, &engine->alpn_wire);
    } else if (SSL_CTX_set_alpn_protos(c, reinterpret_cast<const unsigned char*>(wire->data()),
                                       static_cast<unsigned>(wire->size())) != 0) {
      return bad;
    }
  }
  return std::unique_ptr<TlsEngine>(std::move(engine));
}

}  // namespace sockkit::transport
