// SPDX-License-Identifier: MIT
// The entropy seam: the user's source if set, else the stack's own.
#include "sockkit/entropy.hpp"

#include <atomic>

#include "sys/sys.hpp"

namespace sockkit {
namespace {
std::atomic<EntropySource> user_source{nullptr};
}

void set_entropy_source(EntropySource source) noexcept {
  user_source.store(source, std::memory_order_release);
}

Status random_bytes(std::span<std::byte> out) noexcept {
  if (EntropySource source = user_source.load(std::memory_order_acquire); source != nullptr) {
    if (source(out)) return {};
    return make_error(std::errc::io_error);
  }
  return sys::random_bytes(out);
}

}  // namespace sockkit
