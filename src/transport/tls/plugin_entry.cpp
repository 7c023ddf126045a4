// SPDX-License-Identifier: MIT
// The entry point of a TLS engine plugin (built once per TLS library, with
// SOCKKIT_PLUGIN_ENGINE naming its engine factory): the library's socket I/O
// comes in through the host, the engine factory goes out.
#include "transport/tls/plugin.hpp"

namespace sockkit::transport {
namespace {

tls::PluginHost library_io{};

}  // namespace

// The engine's sessions read and write through the library that loaded it.
Result<std::size_t> receive(NativeHandle socket, std::span<std::byte> into) noexcept {
  return library_io.receive(socket, into);
}

Result<std::size_t> send(NativeHandle socket, std::span<const std::byte> data) noexcept {
  return library_io.send(socket, data);
}

}  // namespace sockkit::transport

namespace {

void attach(const sockkit::transport::tls::PluginHost& host) noexcept {
  sockkit::transport::library_io = host;
}

constexpr sockkit::transport::tls::Plugin kPlugin{SOCKKIT_PLUGIN_VERSION, &attach,
                                                  &sockkit::transport::SOCKKIT_PLUGIN_ENGINE};

}  // namespace

extern "C" __attribute__((visibility("default"))) const sockkit::transport::tls::Plugin*
sockkit_tls_plugin() noexcept {
  return &kPlugin;
}
