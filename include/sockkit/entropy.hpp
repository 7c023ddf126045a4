// SPDX-License-Identifier: MIT
/// @file
/// Where sockkit's randomness comes from (backoff jitter,
/// and later DNS query ids and source ports). On Linux the kernel's getrandom;
/// on an RTOS the port supplies a source (a hardware RNG, typically).
///
///       bool board_rng(std::span<std::byte> out) noexcept {
///         for (auto& b : out) b = std::byte(RNG->DR);   // the board's TRNG
///         return true;
///       }
///       sockkit::set_entropy_source(board_rng);         // once, before the first loop
#pragma once

#include <cstddef>
#include <span>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// Fills `out` with unpredictable bytes; false if it cannot (nothing is used then).
using EntropySource = bool (*)(std::span<std::byte> out) noexcept;

/// Replaces the stack's own source (null restores it). Call before starting loops.
/// @param source the board's random number generator; null: the stack's own.
void set_entropy_source(EntropySource source) noexcept;

/// Unpredictable bytes from the source in use. errc::not_supported where the
/// stack has none and no source was set (an RTOS port without set_entropy_source).
/// Never blocks: early in boot Linux answers from its not yet seeded pool.
/// @param out filled completely on success. @return the error above.
Status random_bytes(std::span<std::byte> out) noexcept;

}  // namespace sockkit

#pragma GCC visibility pop
