// SPDX-License-Identifier: MIT
// Latency histogram: log-linear buckets (32 per power of two), so any value
// is recorded in O(1) with at most ~3 % relative error and fixed memory.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace sockkit::cli {

class Histogram {
 public:
  void record(std::uint64_t value) noexcept {
    ++buckets_[index(value)];
    ++count_;
  }
  std::uint64_t count() const noexcept { return count_; }
  /// Value at quantile q (0..1): the midpoint of the bucket holding it.
  std::uint64_t quantile(double q) const noexcept {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= rank) return midpoint(i);
    }
    return midpoint(buckets_.size() - 1);
  }
  void merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < buckets_.size(); ++i)
      buckets_[i] += other.buckets_[i];
    count_ += other.count_;
  }

 private:
  static constexpr int kSubBits = 5;  // 32 sub-buckets per power of two
  static std::size_t index(std::uint64_t v) noexcept {
    if (v < (1u << kSubBits)) return static_cast<std::size_t>(v);
    const int top = 63 - std::countl_zero(v);  // position of the leading bit
    const int shift = top - kSubBits;
    const auto sub = static_cast<std::size_t>((v >> shift) & ((1u << kSubBits) - 1));
    return static_cast<std::size_t>(shift + 1) * (1u << kSubBits) + sub;
  }
  static std::uint64_t midpoint(std::size_t i) noexcept {
    if (i < (1u << kSubBits)) return i;
    const std::size_t shift = i / (1u << kSubBits) - 1;
    const std::uint64_t sub = i % (1u << kSubBits);
    const std::uint64_t low = ((std::uint64_t{1} << kSubBits) | sub) << shift;
    return low + (std::uint64_t{1} << shift) / 2;
  }
  std::array<std::uint64_t, 64 * 32> buckets_{};
  std::uint64_t count_ = 0;
};

}  // namespace sockkit::cli
