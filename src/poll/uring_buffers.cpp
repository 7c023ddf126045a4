// SPDX-License-Identifier: MIT
// Provided buffers for io_uring receives (see uring_buffers.hpp).
#include "poll/uring_buffers.hpp"

#include <sys/mman.h>

namespace sockkit::poll {
namespace {
// What liburing 2.3's headers lack (the kernel's own values).
constexpr std::uint16_t kIncrementalRing = 2;  // IOU_PBUF_RING_INC, Linux 6.12
}  // namespace

UringBuffers::~UringBuffers() {
  if (memory_ != nullptr) ::munmap(memory_, kPoolBytes);
  if (ring_ != nullptr) ::munmap(ring_, kFixedCount * sizeof(io_uring_buf));
}

bool UringBuffers::provide(io_uring& ring, bool incremental) noexcept {
  void* entries = ::mmap(nullptr, kFixedCount * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (entries == MAP_FAILED) return false;
  ring_ = static_cast<io_uring_buf_ring*>(entries);
  // Pages are touched only as buffers are filled: an idle loop holds little.
  void* memory = ::mmap(nullptr, kPoolBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) return false;
  memory_ = static_cast<std::byte*>(memory);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uintptr_t>(ring_);
  reg.bgid = kGroup;
  bool registered = false;
  if (incremental) {  // older kernels refuse the flag (EINVAL)
    count_ = kIncrementalCount;
    reg.ring_entries = count_;
    reg.pad = kIncrementalRing;  // the field is "flags" in newer headers
    io_uring_buf_ring_init(ring_);
    registered = io_uring_register_buf_ring(&ring, &reg, 0) == 0;
  }
  if (!registered) {
    count_ = kFixedCount;
    reg.ring_entries = count_;
    reg.pad = 0;
    io_uring_buf_ring_init(ring_);
    if (io_uring_register_buf_ring(&ring, &reg, 0) != 0) return false;
  }
  for (unsigned id = 0; id < count_; ++id)
    recycle(static_cast<std::uint16_t>(id));
  return true;
}

std::uint32_t UringBuffers::filled(std::uint16_t id, std::uint32_t bytes, bool more) noexcept {
  State& s = state_[id];
  const std::uint32_t at = s.fill;
  s.fill += bytes;
  ++s.pieces;
  if (!more && !s.retired) {  // a fixed buffer is never filled again before it is back
    s.retired = true;
    --available_;
  }
  return at;
}

void UringBuffers::give_back(std::uint16_t id) noexcept {
  State& s = state_[id];
  if (--s.pieces > 0 || !s.retired) return;
  recycle(id);
}

void UringBuffers::recycle(std::uint16_t id) noexcept {
  state_[id] = {0, 0, false};
  io_uring_buf_ring_add(ring_, buffer(id), static_cast<unsigned>(buffer_size()), id,
                        io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(ring_, 1);
  ++available_;
}

}  // namespace sockkit::poll
