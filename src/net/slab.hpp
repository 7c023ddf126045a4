// SPDX-License-Identifier: MIT
// Where a group's connections live: 4 KiB-aligned blocks, each starting with a
// header that names the group and the block's first slot. A Connection finds
// both by masking its own address, so it carries neither a group pointer nor
// its slot number — that is what keeps an idle connection within 64 bytes.
#pragma once

#include <cstdint>
#include <new>
#include <vector>

#include "net/connection_slot.hpp"

namespace sockkit::net {

class Group;

class Slab {
 public:
  static constexpr std::size_t kBlockBytes = 4096;
  struct alignas(alignof(ConnectionSlot)) Header {
    Group* group;
    std::uint32_t first_slot;
  };
  static constexpr std::size_t kPerBlock = (kBlockBytes - sizeof(Header)) / sizeof(ConnectionSlot);
  static_assert(kPerBlock >= 8, "Connection grew too large for a slab block");

  explicit Slab(Group& group) noexcept : group_(group) {}
  ~Slab();
  Slab(const Slab&) = delete;
  Slab& operator=(const Slab&) = delete;

  std::uint32_t size() const noexcept { return size_; }
  ConnectionSlot& operator[](std::uint32_t slot) noexcept {
    return connections(blocks_[slot / kPerBlock])[slot % kPerBlock];
  }
  /// A new slot at the end; null when memory is out.
  ConnectionSlot* grow() noexcept;

  static Header& header_of(const ConnectionSlot* c) noexcept {
    return *reinterpret_cast<Header*>(reinterpret_cast<std::uintptr_t>(c) & ~(kBlockBytes - 1));
  }
  static std::uint32_t slot_of(const ConnectionSlot* c) noexcept {
    Header& h = header_of(c);
    return h.first_slot + static_cast<std::uint32_t>(c - connections(&h));
  }

 private:
  static ConnectionSlot* connections(Header* h) noexcept {
    return reinterpret_cast<ConnectionSlot*>(h + 1);
  }
  /// The next block: from the last chunk if it has one left, else from a new
  /// chunk twice the last one's size (up to kMaxChunkBlocks). Null when out of memory.
  void* next_block() noexcept;

  // Blocks come in chunks: one aligned allocation per block would cost the
  // allocator's alignment padding — about a block's size — for every block.
  static constexpr std::size_t kMaxChunkBlocks = 16;
  struct Chunk {
    void* memory;
    std::size_t blocks;
  };
  Group& group_;
  std::vector<Header*> blocks_;
  std::vector<Chunk> chunks_;
  std::size_t used_in_last_chunk_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace sockkit::net
