// SPDX-License-Identifier: MIT
// Pooled byte chunks: the only buffers a connection ever holds, and only while
// data is pending. A chunk list is a write queue; one chunk is a read buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sockkit::net {

/// A chunk of bytes [begin, end) within capacity. The head of a list also
/// keeps the list's tail and total, so appending and measuring are O(1).
struct Chunk {
  Chunk* next = nullptr;
  Chunk* tail = nullptr;    // valid on the head only
  std::uint32_t total = 0;  // valid on the head only: bytes in the whole list
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t capacity = 0;
  std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this + 1); }
  std::span<std::byte> readable() noexcept { return {data() + begin, end - begin}; }
  std::span<std::byte> writable() noexcept { return {data() + end, capacity - end}; }
};

/// Recycles chunks of one standard size; odd sizes go straight to the heap.
/// Keeps at most `max_free` idle chunks, so an idle server gives memory back:
/// when what is in use has shrunk well below its high mark, the pool also asks
/// the C library to return the freed pages (sys::give_back_free_heap).
class BufferPool {
 public:
  BufferPool(std::uint32_t chunk_size, std::size_t max_free) noexcept
      : chunk_size_(chunk_size), max_free_(max_free) {}
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  /// A chunk with at least `min_capacity` bytes, or null when memory is out.
  Chunk* acquire(std::uint32_t min_capacity = 0) noexcept;
  void release(Chunk* chunk) noexcept;
  /// Releases a whole list.
  void release_list(Chunk* head) noexcept;
  std::uint32_t chunk_size() const noexcept { return chunk_size_; }
  /// Heap allocations made so far (for the allocation benchmark and tests).
  std::size_t allocations() const noexcept { return allocations_; }

 private:
  void note_freed(std::size_t bytes) noexcept;

  std::uint32_t chunk_size_;
  std::size_t max_free_;
  Chunk* free_ = nullptr;
  std::size_t free_count_ = 0;
  std::size_t allocations_ = 0;
  // Bytes in chunks handed out, their high mark and what went back to the heap
  // since the heap was last asked to shrink.
  std::size_t in_use_ = 0;
  std::size_t in_use_peak_ = 0;
  std::size_t freed_since_trim_ = 0;
};

/// Appends `data` to the list at `head` (creating it); false if memory ran out
/// (then nothing was appended).
bool append(BufferPool& pool, Chunk*& head, std::span<const std::byte> data) noexcept;
/// Drops `count` bytes from the front of the list, releasing emptied chunks.
void consume(BufferPool& pool, Chunk*& head, std::size_t count) noexcept;

}  // namespace sockkit::net
