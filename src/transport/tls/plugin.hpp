// SPDX-License-Identifier: MIT
// A TLS engine built as a plugin: in a shared build each TLS library's engine
// is a module of its own (<libdir>/sockkit/<version>/tls-<backend>.so), loaded
// on first use, so a program that makes no TLS context loads no TLS library and
// a system installs only the engines it wants. The library and its plugins are
// one build: a plugin of another version is refused.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "sockkit/result.hpp"
#include "sockkit/socket.hpp"
#include "sockkit/tls.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport::tls {

/// The symbol each plugin exports (C linkage): a function returning its Plugin.
inline constexpr const char* kPluginEntry = "sockkit_tls_plugin";

/// What the library lends a plugin: the socket I/O its engine's sessions use.
struct PluginHost {
  Result<std::size_t> (*receive)(NativeHandle socket, std::span<std::byte> into) noexcept;
  Result<std::size_t> (*send)(NativeHandle socket, std::span<const std::byte> data) noexcept;
};

/// What a plugin gives the library.
struct Plugin {
  /// The version it was built as; the library loads only its own.
  const char* version;
  /// Receives the library's I/O, once, before the first engine.
  void (*attach)(const PluginHost& host) noexcept;
  /// Its TLS library's engine for `options`.
  Result<std::unique_ptr<TlsEngine>> (*make_engine)(const TlsOptions& options,
                                                    bool server) noexcept;
};

/// The plugin's entry point's type.
using PluginEntry = const Plugin* (*)() noexcept;

/// The plugin of `backend`, loaded on first use (thread-safe); null if it is
/// not installed beside the library or is of another version.
const Plugin* load_plugin(TlsBackend backend) noexcept;

}  // namespace sockkit::transport::tls
