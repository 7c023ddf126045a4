// SPDX-License-Identifier: MIT
/// @file
/// The small value types every layer speaks: a typed
/// descriptor, shutdown directions, socket kinds and datagrams. The socket
/// classes, the event loop and the stack's seam all use these and nothing more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sockkit/endpoint.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// The stack's descriptor, typed so it cannot be mixed up with a plain int
/// (on lwIP, 0 is a valid socket and numbers overlap the kernel's).
struct NativeHandle {
  int value = -1;  ///< The stack's descriptor number; -1 when none.
  /// @return whether a descriptor is held.
  constexpr bool valid() const noexcept { return value >= 0; }
  friend constexpr bool operator==(NativeHandle, NativeHandle) = default;  ///< Same descriptor.
};

/// Which direction(s) shutdown() closes.
enum class Shutdown : std::uint8_t { read, write, both };

/// Socket kind.
enum class SocketType : std::uint8_t { stream, datagram };

/// What one receive delivered.
struct Datagram {
  std::size_t size = 0;       ///< Bytes copied into the buffer.
  std::size_t full_size = 0;  ///< Size of the datagram on the wire (> size when truncated).
  bool truncated = false;     ///< The buffer was too small; the rest is lost.
  Endpoint from;              ///< The sender.
};

/// One datagram to send in a batch. `to` may be null on a connected socket.
struct OutgoingDatagram {
  std::span<const std::byte> data;  ///< The payload.
  const Endpoint* to = nullptr;     ///< Destination; null on a connected socket.
};

/// One slot to receive into in a batch; `result` is filled in.
struct IncomingDatagram {
  std::span<std::byte> buffer;  ///< Where the datagram goes.
  Datagram result;              ///< Its size, sender and truncation.
};

}  // namespace sockkit

#pragma GCC visibility pop
