// Provided buffers for io_uring receives (see uring_buffers.hpp).
#include "poll/uring_buffers.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <ctime>

namespace sockkit::poll {
namespace {
constexpr long long kTrimEveryMs = 100;

long long coarse_now_ms() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
}  // namespace

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

void UringBuffers::lent(std::uint16_t id) noexcept {
  --available_;
  out_[id] = true;
  ++used_since_trim_;
}

void UringBuffers::give_back(std::uint16_t id) noexcept {
  io_uring_buf_ring_add(ring_, buffer(id), kSize, id, io_uring_buf_ring_mask(kCount), 0);
  io_uring_buf_ring_advance(ring_, 1);
  ++available_;
  out_[id] = false;
}

int UringBuffers::before_sleep(io_uring& ring, int timeout_ms) noexcept {
  if (used_since_trim_ == 0 || timeout_ms == 0) return timeout_ms;
  const long long now = coarse_now_ms();
  const long long due = last_trim_ms_ + kTrimEveryMs;
  if (now < due) {
    const auto left = static_cast<int>(due - now);
    return timeout_ms < 0 ? left : std::min(timeout_ms, left);
  }
  // The kernel runs receives whenever this thread enters it (a handler's send
  // included): an unreaped completion may have filled a buffer marked free.
  // Reap first; no system call comes between this check and the madvise.
  if (io_uring_cq_ready(&ring) != 0 || io_uring_cq_has_overflow(&ring)) return 0;
  for (unsigned first = 0; first < kCount;) {
    if (out_[first]) {
      ++first;
      continue;
    }
    unsigned end = first;
    while (end < kCount && !out_[end])
      ++end;
    (void)::madvise(buffer(static_cast<std::uint16_t>(first)), std::size_t{end - first} * kSize,
                    MADV_DONTNEED);
    first = end;
  }
  used_since_trim_ = 0;
  last_trim_ms_ = now;
  return timeout_ms;
}

}  // namespace sockkit::poll
