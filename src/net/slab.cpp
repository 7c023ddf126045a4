#include "net/slab.hpp"

namespace sockkit::net {

Slab::~Slab() {
  for (std::uint32_t slot = 0; slot < size_; ++slot)
    (*this)[slot].~Connection();
  for (Header* h : blocks_)
    ::operator delete(h, std::align_val_t(kBlockBytes));
}

Connection* Slab::grow() noexcept {
  if (size_ % kPerBlock == 0 && size_ / kPerBlock == blocks_.size()) {
    void* raw = ::operator new(kBlockBytes, std::align_val_t(kBlockBytes), std::nothrow);
    if (raw == nullptr) return nullptr;
    blocks_.push_back(new (raw) Header{&group_, size_});
  }
  Connection* c = new (&connections(blocks_[size_ / kPerBlock])[size_ % kPerBlock]) Connection();
  ++size_;
  return c;
}

}  // namespace sockkit::net
