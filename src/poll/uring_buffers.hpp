// SPDX-License-Identifier: MIT
// The ring of provided buffers that io_uring's multishot receives fill: the
// kernel takes buffers from the ring, the backend gives each back once the
// connections have read what was put in it.
//
// Where the kernel consumes provided buffers incrementally (Linux 6.12), the
// ring holds 16 buffers of 64 KiB and one receive takes as much as the socket
// holds, up to what is left of the buffer it is filling: one completion, one
// span, and one send to echo it, where 16 KiB buffers took four. A buffer then
// holds pieces of several receives, possibly for several connections, and
// goes back to the ring when the kernel has moved on from it and every piece
// has been read. Older kernels get 64 buffers of 16 KiB, one receive each.
// Receive bundles (Linux 6.10) would also take several buffers per receive,
// but as several spans: the incremental ring keeps a receive in one.
//
// Either way the pool is 1 MiB per loop, touched only as it is used and then
// kept: its pages are not given back, because the kernel may be filling any
// buffer that is in the ring at any moment (a madvise racing a receive zeroed
// received bytes), and nothing tells user space which one.
#pragma once

#include <liburing.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace sockkit::poll {

class UringBuffers {
 public:
  static constexpr unsigned kGroup = 1;  // the buffer group receives select from
  static constexpr std::size_t kPoolBytes = std::size_t{1} << 20;

  UringBuffers() = default;
  UringBuffers(const UringBuffers&) = delete;
  UringBuffers& operator=(const UringBuffers&) = delete;
  /// Only after the ring is gone (nothing writes into the buffers any more).
  ~UringBuffers();

  /// Registers the buffers with `ring`, incrementally consumed ones if
  /// `incremental` and the kernel has them; false if the kernel has neither.
  bool provide(io_uring& ring, bool incremental) noexcept;

  /// The most one receive completion can hold.
  std::size_t buffer_size() const noexcept { return kPoolBytes / count_; }
  std::byte* buffer(std::uint16_t id) const noexcept { return memory_ + id * buffer_size(); }
  /// Buffers the kernel can still fill.
  unsigned available() const noexcept { return available_; }
  /// A completion put `bytes` into buffer `id`; `more`: the kernel goes on
  /// filling it. Returns where in the buffer the bytes begin.
  std::uint32_t filled(std::uint16_t id, std::uint32_t bytes, bool more) noexcept;
  /// One completion's bytes in buffer `id` have been read.
  void give_back(std::uint16_t id) noexcept;

 private:
  static constexpr unsigned kIncrementalCount = 16;
  static constexpr unsigned kFixedCount = 64;  // powers of two: the ring's size
  struct State {
    std::uint32_t fill = 0;    // where the kernel puts the next bytes
    std::uint16_t pieces = 0;  // completions in it not read yet
    bool retired = true;       // out of the ring: the kernel has moved on
  };
  void recycle(std::uint16_t id) noexcept;

  io_uring_buf_ring* ring_ = nullptr;
  std::byte* memory_ = nullptr;
  unsigned count_ = kFixedCount;
  unsigned available_ = 0;
  std::array<State, kFixedCount> state_{};
};

}  // namespace sockkit::poll
