// The ring of provided buffers that io_uring's multishot receives fill: the
// kernel takes the next free buffer for each completion, the backend gives it
// back once the connection has read it. Pages are given back to the system
// when the loop goes quiet, so a burst does not leave the ring's whole size
// resident.
#pragma once

#include <liburing.h>

#include <bitset>
#include <cstddef>
#include <cstdint>

namespace sockkit::poll {

class UringBuffers {
 public:
  static constexpr unsigned kCount = 64;        // a power of two
  static constexpr unsigned kSize = 64 * 1024;  // as much as the loopback delivers at once
  static constexpr unsigned kGroup = 1;         // the buffer group receives select from

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
  /// A completion says the kernel filled buffer `id`.
  void lent(std::uint16_t id) noexcept;
  /// Buffer `id` has been read: the kernel may fill it again.
  void give_back(std::uint16_t id) noexcept;

  /// The loop is about to sleep: gives the free buffers' pages back to the
  /// system, at most every 100 ms, and never while completions wait to be
  /// reaped (one may have filled a buffer still marked free). Returns the
  /// wait to use: shortened until the next give-back is allowed.
  int before_sleep(io_uring& ring, int timeout_ms) noexcept;

 private:
  io_uring_buf_ring* ring_ = nullptr;
  std::byte* memory_ = nullptr;
  unsigned available_ = 0;
  std::bitset<kCount> out_;  // filled by the kernel, not given back yet
  unsigned used_since_trim_ = 0;
  long long last_trim_ms_ = 0;
};

}  // namespace sockkit::poll
