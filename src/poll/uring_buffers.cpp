// SPDX-License-Identifier: MIT
// Provided buffers for io_uring receives (see uring_buffers.hpp).
#include "poll/uring_buffers.hpp"

#include <sys/mman.h>

namespace sockkit::poll {
UringBuffers::~UringBuffers() {
  if (memory_ != nullptr) ::munmap(memory_, std::size_t{kCount} * kSize);
  if (ring_ != nullptr) ::munmap(ring_, kCount * sizeof(io_uring_buf));
}

bool UringBuffers::provide(io_uring& ring) noexcept {
  void* entries = ::mmap(nullptr, kCount * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (entries == MAP_FAILED) return false;
  ring_ = static_cast<io_uring_buf_ring*>(entries);
  // Pages are touched only as buffers are filled: an idle loop holds little.
  void* memory = ::mmap(nullptr, std::size_t{kCount} * kSize, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) return false;
  memory_ = static_cast<std::byte*>(memory);
  io_uring_buf_ring_init(ring_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uintptr_t>(ring_);
  reg.ring_entries = kCount;
  reg.bgid = kGroup;
  if (io_uring_register_buf_ring(&ring, &reg, 0) != 0) return false;
  for (unsigned id = 0; id < kCount; ++id)
    io_uring_buf_ring_add(ring_, buffer(static_cast<std::uint16_t>(id)), kSize,
                          static_cast<std::uint16_t>(id), io_uring_buf_ring_mask(kCount),
                          static_cast<int>(id));
  io_uring_buf_ring_advance(ring_, static_cast<int>(kCount));
  available_ = kCount;
  return true;
}

void UringBuffers::give_back(std::uint16_t id) noexcept {
  io_uring_buf_ring_add(ring_, buffer(id), kSize, id, io_uring_buf_ring_mask(kCount), 0);
  io_uring_buf_ring_advance(ring_, 1);
  ++available_;
}

}  // namespace sockkit::poll
