// SPDX-License-Identifier: MIT
#include "net/buffer.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "sys/sys.hpp"

namespace sockkit::net {

BufferPool::~BufferPool() {
  while (free_ != nullptr) {
    Chunk* next = free_->next;
    ::operator delete(free_);
    free_ = next;
  }
}

Chunk* BufferPool::acquire(std::uint32_t min_capacity) noexcept {
  Chunk* c = nullptr;
  if (min_capacity <= chunk_size_ && free_ != nullptr) {
    c = free_;
    free_ = c->next;
    --free_count_;
  } else {
    const std::uint32_t capacity = std::max(min_capacity, chunk_size_);
    void* raw = ::operator new(sizeof(Chunk) + capacity, std::nothrow);
    if (raw == nullptr) return nullptr;
    ++allocations_;
    c = new (raw) Chunk();
    c->capacity = capacity;
  }
  const std::uint32_t capacity = c->capacity;
  in_use_ += capacity;
  in_use_peak_ = std::max(in_use_peak_, in_use_);
  *c = Chunk{};
  c->capacity = capacity;
  c->tail = c;
  return c;
}

void BufferPool::release(Chunk* chunk) noexcept {
  if (chunk == nullptr) return;
  const std::size_t capacity = chunk->capacity;
  in_use_ -= capacity;
  if (capacity == chunk_size_ && free_count_ < max_free_) {
    chunk->next = free_;
    free_ = chunk;
    ++free_count_;
  } else {
    ::operator delete(chunk);
    note_freed(sizeof(Chunk) + capacity);
  }
}

void BufferPool::note_freed(std::size_t bytes) noexcept {
  // Trimming walks the heap, so it waits until a real shrink: half of the high
  // mark gone and a megabyte freed, or the pool idle. Steady churn above the
  // reserve never triggers it.
  constexpr std::size_t kTrimAfter = 1 << 20;
  constexpr std::size_t kTrimWhenIdleAfter = 128 << 10;
  freed_since_trim_ += bytes;
  const bool shrunk = freed_since_trim_ >= kTrimAfter && in_use_ <= in_use_peak_ / 2;
  const bool idle = in_use_ == 0 && freed_since_trim_ >= kTrimWhenIdleAfter;
  if (!shrunk && !idle) return;
  sys::give_back_free_heap();
  freed_since_trim_ = 0;
  in_use_peak_ = in_use_;
}

void BufferPool::release_list(Chunk* head) noexcept {
  while (head != nullptr) {
    Chunk* next = head->next;
    release(head);
    head = next;
  }
}

bool append(BufferPool& pool, Chunk*& head, std::span<const std::byte> data) noexcept {
  if (data.empty()) return true;
  // Reserve every chunk first, so running out of memory appends nothing. Each
  // reserved chunk is needed, so each receives at least one byte below.
  Chunk* fresh = nullptr;
  Chunk* fresh_tail = nullptr;
  std::size_t room = head != nullptr ? head->tail->writable().size() : 0;
  while (room < data.size()) {
    Chunk* c = pool.acquire();
    if (c == nullptr) {
      pool.release_list(fresh);
      return false;
    }
    if (fresh == nullptr)
      fresh = c;
    else
      fresh_tail->next = c;
    fresh_tail = c;
    room += c->capacity;
  }
  if (head == nullptr) {
    head = fresh;
    fresh = fresh != nullptr ? fresh->next : nullptr;
    head->tail = head;
    head->total = 0;
  }
  Chunk* tail = head->tail;
  tail->next = fresh;
  std::size_t left = data.size();
  const std::byte* src = data.data();
  for (Chunk* c = tail; left > 0; c = c->next) {
    const std::size_t n = std::min(left, c->writable().size());
    std::memcpy(c->writable().data(), src, n);
    c->end += static_cast<std::uint32_t>(n);
    src += n;
    left -= n;
    if (c->end > c->begin) head->tail = c;
  }
  head->total += static_cast<std::uint32_t>(data.size());
  return true;
}

void consume(BufferPool& pool, Chunk*& head, std::size_t count) noexcept {
  while (head != nullptr && count > 0) {
    const std::size_t here = std::min<std::size_t>(count, head->end - head->begin);
    head->begin += static_cast<std::uint32_t>(here);
    head->total -= static_cast<std::uint32_t>(here);
    count -= here;
    if (head->begin == head->end) {
      Chunk* next = head->next;
      if (next != nullptr && head->tail != head) {
        next->tail = head->tail;
        next->total = head->total;
      } else {
        next = nullptr;  // the list is empty now; drop spare chunks too
        pool.release_list(head->next);
      }
      head->next = nullptr;
      pool.release(head);
      head = next;
    }
  }
}

}  // namespace sockkit::net
