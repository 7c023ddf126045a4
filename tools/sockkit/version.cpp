// SPDX-License-Identifier: MIT
// `sockkit --version`: the version and what this build can do — the stack,
// the backends (and whether this kernel takes io_uring), the TLS libraries.
#include <string>

#include "common.hpp"

namespace sockkit::cli {

std::string version_text() {
  std::string text = "sockkit " SOCKKIT_VERSION_TEXT " (MIT licence)\n";
  text += std::string("stack: ") + stack_name() + "\n";
  bool has_uring = false;
  for (Backend b : compiled_backends())
    has_uring = has_uring || b == Backend::uring;
  text += "backends: " + backend_names() + " (default " + to_string(default_backend()) + ")\n";
  if (has_uring) {
    // Compiled in is not the same as usable: a kernel or a seccomp filter may refuse it.
    auto loop = EventLoop::create({.backend = Backend::uring, .fallback = false});
    text += loop ? std::string("io_uring: usable on this kernel\n")
                 : "io_uring: refused here (" + loop.error().message() + "), epoll used instead\n";
  }
  const std::string tls = tls_backend_names();
  text += "tls: " +
          (tls.empty() ? std::string("none (not built, or no engine plugin installed)")
                       : tls + " (default " + to_string(default_tls_backend()) + ")") +
          "\n";
  text += "mqtt: 3.1.1, 5.0";
  return text;
}

}  // namespace sockkit::cli
