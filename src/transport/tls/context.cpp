// SPDX-License-Identifier: MIT
// TlsContext: a TLS library context behind one interface; the TLS libraries are
// chosen at configure time and, in a shared build, loaded as plugins on first use.
#include <new>

#include "sockkit/error.hpp"
#include "transport/tls/common.hpp"
#include "transport/transport.hpp"
#if SOCKKIT_TLS_PLUGINS
#include "transport/tls/plugin.hpp"
#endif

namespace sockkit {

bool tls_backend_available(TlsBackend backend) noexcept {
  const bool built =
      backend == TlsBackend::openssl ? SOCKKIT_HAVE_OPENSSL != 0 : SOCKKIT_HAVE_MBEDTLS != 0;
#if SOCKKIT_TLS_PLUGINS
  return built && transport::tls::load_plugin(backend) != nullptr;
#else
  return built;
#endif
}

TlsBackend default_tls_backend() noexcept {
  return tls_backend_available(TlsBackend::openssl) || !tls_backend_available(TlsBackend::mbedtls)
             ? TlsBackend::openssl
             : TlsBackend::mbedtls;
}

const char* to_string(TlsBackend backend) noexcept {
  return backend == TlsBackend::openssl ? "openssl" : "mbedtls";
}

Result<TlsBackend> parse_tls_backend(std::string_view name) noexcept {
  if (name == "openssl") return TlsBackend::openssl;
  if (name == "mbedtls") return TlsBackend::mbedtls;
  return make_error(std::errc::invalid_argument);
}

Result<std::string> parse_psk_hex(std::string_view hex) noexcept {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.empty() || hex.size() % 2 != 0) return make_error_code(failure::tls_configuration);
  std::string key;
  key.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return make_error_code(failure::tls_configuration);
    key += static_cast<char>(high << 4 | low);
  }
  return key;
}

TlsContext::TlsContext(TlsOptions options, bool server) noexcept
    : options_(std::move(options)), server_(server) {}

TlsContext::~TlsContext() = default;

Result<std::shared_ptr<TlsContext>> TlsContext::client(const TlsOptions& options) noexcept {
  return create(options, false);
}

Result<std::shared_ptr<TlsContext>> TlsContext::server(const TlsOptions& options) noexcept {
  return create(options, true);
}

Result<std::shared_ptr<TlsContext>> TlsContext::create(const TlsOptions& options,
                                                       bool server) noexcept {
  if (!tls_backend_available(options.backend)) return make_error_code(failure::backend_unavailable);
  if (!transport::tls::psk_consistent(options)) return make_error_code(failure::tls_configuration);
  Result<std::unique_ptr<transport::TlsEngine>> engine = make_error(std::errc::not_supported);
#if SOCKKIT_TLS_PLUGINS
  engine = transport::tls::load_plugin(options.backend)->make_engine(options, server);
#else
#if SOCKKIT_HAVE_OPENSSL
  if (options.backend == TlsBackend::openssl)
    engine = transport::make_openssl_engine(options, server);
#endif
#if SOCKKIT_HAVE_MBEDTLS
  if (options.backend == TlsBackend::mbedtls)
    engine = transport::make_mbedtls_engine(options, server);
#endif
#endif
  if (!engine) return engine.error();
  std::shared_ptr<TlsContext> context(
      new (std::nothrow) transport::EngineContext(options, server, std::move(*engine)));
  if (!context) return make_error(std::errc::not_enough_memory);
  return context;
}

}  // namespace sockkit
