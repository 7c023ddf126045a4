// SPDX-License-Identifier: MIT
// TlsContext: a TLS library context chosen at configure time, behind one interface.
#include <new>

#include "socket/ip_text.hpp"
#include "sockkit/error.hpp"
#include "transport/tls/common.hpp"
#include "transport/transport.hpp"

namespace sockkit {

bool tls_backend_available(TlsBackend backend) noexcept {
  switch (backend) {
    case TlsBackend::openssl:
      return SOCKKIT_HAVE_OPENSSL != 0;
    case TlsBackend::mbedtls:
      return SOCKKIT_HAVE_MBEDTLS != 0;
  }
  return false;
}

TlsBackend default_tls_backend() noexcept {
  return SOCKKIT_HAVE_OPENSSL ? TlsBackend::openssl : TlsBackend::mbedtls;
}

const char* to_string(TlsBackend backend) noexcept {
  return backend == TlsBackend::openssl ? "openssl" : "mbedtls";
}

Result<TlsBackend> parse_tls_backend(std::string_view name) noexcept {
  if (name == "openssl") return TlsBackend::openssl;
  if (name == "mbedtls") return TlsBackend::mbedtls;
  return std::make_error_code(std::errc::invalid_argument);
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
  Result<std::unique_ptr<transport::TlsEngine>> engine =
      std::make_error_code(std::errc::not_supported);
#if SOCKKIT_HAVE_OPENSSL
  if (options.backend == TlsBackend::openssl)
    engine = transport::make_openssl_engine(options, server);
#endif
#if SOCKKIT_HAVE_MBEDTLS
  if (options.backend == TlsBackend::mbedtls)
    engine = transport::make_mbedtls_engine(options, server);
#endif
  if (!engine) return engine.error();
  std::shared_ptr<TlsContext> context(
      new (std::nothrow) transport::EngineContext(options, server, std::move(*engine)));
  if (!context) return std::make_error_code(std::errc::not_enough_memory);
  return context;
}

namespace transport::tls {

bool is_ip_literal(std::string_view name) noexcept {
  return ip_text::parse_ipv4(name).has_value() || ip_text::parse_ipv6(name).has_value();
}

std::optional<std::string> alpn_wire_format(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& p : protocols) {
    if (p.empty() || p.size() > 255) return std::nullopt;
    wire += static_cast<char>(p.size());
    wire += p;
  }
  return wire;
}

}  // namespace transport::tls
}  // namespace sockkit
