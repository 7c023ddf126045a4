// SPDX-License-Identifier: MIT
// The three calls into the network stack that the unit suites' code reaches,
// answered as on a board with no network: no stack error to classify, no
// interface names, no entropy of its own. The unit suites exercise code that
// does no I/O; the stacks' answers are tested by the suites that run on them.
#include "sys/sys.hpp"

namespace sockkit::sys {

std::optional<errc> classify(const std::error_code&) noexcept {
  return std::nullopt;
}

Result<std::uint32_t> interface_index(std::string_view) noexcept {
  return failure::unknown_interface;
}

Status random_bytes(std::span<std::byte>) noexcept {
  return std::make_error_code(std::errc::not_supported);  // as the stacks say it
}

}  // namespace sockkit::sys
