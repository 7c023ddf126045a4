// SPDX-License-Identifier: MIT
// The poller seam: one readiness backend per file in src/poll/, all behind
// these few functions (after Redis's ae_*.c). The event loop never knows
// which one it has.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "sockkit/backend.hpp"
#include "sockkit/socket.hpp"
#include "sys/sys.hpp"

namespace sockkit::poll {

/// A descriptor that is ready: sys::kReadable, kWritable, kError, kHangup
/// (an invalid descriptor is reported as kError; the loop passes these on as is).
struct Ready {
  NativeHandle handle;
  unsigned events = 0;
};

/// Level-triggered readiness (edge-triggered for epoll_edge): interest is
/// sys::kReadable | sys::kWritable; errors and hang-ups are always reported.
class Poller {
 public:
  virtual ~Poller() = default;
  virtual Backend backend() const noexcept = 0;
  virtual Status add(NativeHandle h, unsigned interest) noexcept = 0;
  virtual Status modify(NativeHandle h, unsigned interest) noexcept = 0;
  /// Must be called before the descriptor is closed.
  virtual Status remove(NativeHandle h) noexcept = 0;
  /// Waits up to timeout_ms (-1 forever) and fills `out`; returns how many.
  virtual Result<std::size_t> wait(std::span<Ready> out, int timeout_ms) noexcept = 0;
  /// Highest descriptor value + 1 this backend accepts; 0 = no limit.
  virtual int descriptor_limit() const noexcept { return 0; }

  // A completion backend (io_uring) can do a descriptor's reads itself: its
  // data is then reported as readable and taken from the backend, never read
  // from the socket. Readiness backends keep these defaults (false: read the
  // socket as usual).

  /// Makes the backend receive for connected stream `h` (added already) while
  /// its read interest is on. True if it will.
  virtual bool receive_for(NativeHandle h) noexcept {
    (void)h;
    return false;
  }
  /// The oldest bytes received for `h`, valid until consume() or remove(): an
  /// empty span is the peer's EOF; would_block when nothing has come; any other
  /// error is the socket's.
  virtual Result<std::span<const std::byte>> received(NativeHandle h) noexcept;
  /// The most one received() span can hold; 0 when the backend does no reads.
  virtual std::size_t receive_unit() const noexcept { return 0; }
  /// Drops the first `count` bytes of what received() showed.
  virtual void consume(NativeHandle h, std::size_t count) noexcept {
    (void)h;
    (void)count;
  }
  /// Makes the backend accept on listener `h` (added already) while its read
  /// interest is on. True if it will.
  virtual bool accept_for(NativeHandle h) noexcept {
    (void)h;
    return false;
  }
  /// The next connection accepted on `h` (non-blocking, close-on-exec, now the
  /// caller's), or the error accepting met; would_block when none is waiting.
  virtual Result<NativeHandle> accepted(NativeHandle h) noexcept;
};

using PollerPtr = std::unique_ptr<Poller>;

Result<PollerPtr> make_select() noexcept;
Result<PollerPtr> make_poll() noexcept;
Result<PollerPtr> make_epoll(bool edge_triggered) noexcept;
/// errc::not_supported when the build lacks liburing or the kernel refuses io_uring.
/// `incremental_buffers` false keeps fixed 16 KiB receive buffers even where
/// the kernel consumes buffers incrementally (what older kernels get).
Result<PollerPtr> make_uring(bool incremental_buffers = true) noexcept;

/// The backend by name; errc::not_supported if this build or kernel lacks it.
Result<PollerPtr> make_poller(Backend backend) noexcept;

}  // namespace sockkit::poll
