// SPDX-License-Identifier: MIT
// The ring of provided buffers that io_uring's multishot receives fill: the
// kernel takes the next free buffer for each completion, the backend gives it
// back once the connection has read it.
//
// The ring is a fixed pool of 1 MiB per loop, touched only as it is used and
// then kept: its pages are not given back, because the kernel may be filling
// any buffer that is in the ring at any moment (a madvise racing a receive
// zeroed received bytes), and nothing tells user space which one.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

namespace sockkit::poll {

class UringBuffers {
 public:
  static constexpr unsigned kCount = 64;  // a power of two
  static constexpr unsigned kSize = 16 * 1024;
  static constexpr unsigned kGroup = 1;  // the buffer group receives select from

  UringBuffers() = default;
  UringBuffers(const UringBuffers&) = delete;
  UringBuffers& operator=(const UringBuffers&) = delete;
  /// Only after the ring is gone (nothing writes into the buffers any more).
  ~UringBuffers();

  /// Registers the buffers with `ring`; false if the kernel cannot.
  bool provide(io_uring& ring) noexcept;

  std::byte* buffer(std::uint16_t id) const noexcept { return memory_ + std::size_t{id} * kSize; }
  /// Buffers the kernel can still fill.
  unsigned available() const noexcept { return available_; }
  /// A completion says the kernel filled a buffer.
  void lent() noexcept { --available_; }
  /// Buffer `id` has been read: the kernel may fill it again.
  void give_back(std::uint16_t id) noexcept;

 private:
  io_uring_buf_ring* ring_ = nullptr;
  std::byte* memory_ = nullptr;
  unsigned available_ = 0;
};

}  // namespace sockkit::poll
