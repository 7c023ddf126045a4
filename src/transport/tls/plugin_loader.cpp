// SPDX-License-Identifier: MIT
// Finds and loads the TLS engine plugins of a shared build: beside the library
// file that holds this code, under sockkit/<version>/. Never from a path the
// environment names: a set-user-ID program must not load a stranger's code.
#include <dlfcn.h>

#include <array>
#include <cstring>
#include <mutex>
#include <string>

#include "transport/tls/plugin.hpp"

namespace sockkit::transport::tls {
namespace {

/// This library's directory (from the file the dynamic linker mapped it from).
std::string library_directory() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<const void*>(&load_plugin), &info) == 0 ||
      info.dli_fname == nullptr)
    return {};
  std::string path = info.dli_fname;
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

const Plugin* open_plugin(TlsBackend backend) noexcept {
  try {
    const std::string path = library_directory() + "/sockkit/" SOCKKIT_PLUGIN_VERSION "/tls-" +
                             to_string(backend) + ".so";
    // Kept loaded for the process's life: TLS libraries do not expect to be unloaded.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) return nullptr;
    const auto entry = reinterpret_cast<PluginEntry>(::dlsym(module, kPluginEntry));
    const Plugin* plugin = entry != nullptr ? entry() : nullptr;
    if (plugin == nullptr || std::strcmp(plugin->version, SOCKKIT_PLUGIN_VERSION) != 0) {
      ::dlclose(module);
      return nullptr;
    }
    static constexpr PluginHost host{&transport::receive, &transport::send};
    plugin->attach(host);
    return plugin;
  } catch (...) {  // the path's allocation
    return nullptr;
  }
}

}  // namespace

const Plugin* load_plugin(TlsBackend backend) noexcept {
  // Tried once per backend: a missing plugin stays missing for the process.
  static std::once_flag once[2];
  static std::array<const Plugin*, 2> plugins{};
  const auto index = static_cast<std::size_t>(backend == TlsBackend::mbedtls);
  std::call_once(once[index], [&] { plugins[index] = open_plugin(backend); });
  return plugins[index];
}

}  // namespace sockkit::transport::tls
