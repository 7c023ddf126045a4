// SPDX-License-Identifier: MIT
#include "net/slab.hpp"

#include <algorithm>
#include <cstddef>

namespace sockkit::net {

Slab::~Slab() {
  for (std::uint32_t slot = 0; slot < size_; ++slot)
    (*this)[slot].~ConnectionSlot();
  for (const Chunk& chunk : chunks_)
    ::operator delete(chunk.memory, std::align_val_t(kBlockBytes));
}

void* Slab::next_block() noexcept {
  if (chunks_.empty() || used_in_last_chunk_ == chunks_.back().blocks) {
    const std::size_t blocks =
        chunks_.empty() ? 1 : std::min(kMaxChunkBlocks, 2 * chunks_.back().blocks);
    void* memory = ::operator new(blocks* kBlockBytes, std::align_val_t(kBlockBytes), std::nothrow);
    if (memory == nullptr) return nullptr;
    chunks_.push_back({memory, blocks});
    used_in_last_chunk_ = 0;
  }
  // Pages of a chunk are touched only as its blocks are used: RSS follows the connections.
  return static_cast<std::byte*>(chunks_.back().memory) + used_in_last_chunk_++ * kBlockBytes;
}

ConnectionSlot* Slab::grow() noexcept {
  if (size_ % kPerBlock == 0 && size_ / kPerBlock == blocks_.size()) {
    void* raw = next_block();
    if (raw == nullptr) return nullptr;
    blocks_.push_back(new (raw) Header{&group_, size_});
  }
  ConnectionSlot* c =
      new (&connections(blocks_[size_ / kPerBlock])[size_ % kPerBlock]) ConnectionSlot();
  ++size_;
  return c;
}

}  // namespace sockkit::net
