// SPDX-License-Identifier: MIT
// Linux reports its errors in std::system_category: the host's errno values,
// which sockkit::classify() maps for every stack (src/error.cpp). No category
// of its own here.
#include "sys/sys.hpp"

namespace sockkit::sys {

std::optional<errc> classify(const ErrorCode&) noexcept {
  return std::nullopt;
}

}  // namespace sockkit::sys
