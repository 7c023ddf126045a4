// SPDX-License-Identifier: MIT
// poll() backend: portable to every stack through sys::poll; no descriptor limit.
#include <new>
#include <vector>

#include "poll/poller.hpp"

namespace sockkit::poll {
namespace {

class PollPoller final : public Poller {
 public:
  Backend backend() const noexcept override { return Backend::poll; }

  Status add(NativeHandle h, unsigned interest) noexcept override {
    if (!h.valid()) return failure::closed_socket;
    const auto fd = static_cast<std::size_t>(h.value);
    if (fd >= index_.size()) index_.resize(fd + 1, -1);
    if (index_[fd] >= 0) return make_error(std::errc::file_exists);
    index_[fd] = static_cast<int>(entries_.size());
    entries_.push_back({h, static_cast<std::uint16_t>(interest), 0});
    return {};
  }

  Status modify(NativeHandle h, unsigned interest) noexcept override {
    const int i = find(h);
    if (i < 0) return make_error(std::errc::no_such_file_or_directory);
    entries_[static_cast<std::size_t>(i)].events = static_cast<std::uint16_t>(interest);
    return {};
  }

  Status remove(NativeHandle h) noexcept override {
    const int i = find(h);
    if (i < 0) return make_error(std::errc::no_such_file_or_directory);
    // Swap-remove keeps the array dense: O(1).
    entries_[static_cast<std::size_t>(i)] = entries_.back();
    index_[static_cast<std::size_t>(entries_.back().handle.value)] = i;
    entries_.pop_back();
    index_[static_cast<std::size_t>(h.value)] = -1;
    return {};
  }

  Result<std::size_t> wait(std::span<Ready> out, int timeout_ms) noexcept override {
    auto n = sys::poll(entries_, timeout_ms);
    if (!n) return n.error();
    // Start where the last full batch stopped, so late entries are not starved.
    const std::size_t size = entries_.size();
    if (next_start_ >= size) next_start_ = 0;
    std::size_t count = 0, last = 0;
    for (std::size_t i = 0; i < size && count < out.size(); ++i) {
      const std::size_t at = (i + next_start_) % size;
      const auto& e = entries_[at];
      if (e.revents != 0) {
        // A descriptor poll() calls invalid is an error to the handler, which reads why.
        const unsigned events = (e.revents & sys::kInvalid)
                                    ? (e.revents & ~sys::kInvalid) | sys::kError
                                    : unsigned{e.revents};
        out[count++] = {e.handle, events};
        last = at;
      }
    }
    next_start_ = count == out.size() ? (last + 1) % size : 0;
    return count;
  }

 private:
  int find(NativeHandle h) const noexcept {
    const auto fd = static_cast<std::size_t>(h.value);
    return h.valid() && fd < index_.size() ? index_[fd] : -1;
  }

  std::vector<sys::PollEntry> entries_;
  std::vector<int> index_;  // descriptor -> position in entries_, -1 if absent
  std::size_t next_start_ = 0;
};

}  // namespace

Result<PollerPtr> make_poll() noexcept {
  PollerPtr p(new (std::nothrow) PollPoller());
  if (!p) return make_error(std::errc::not_enough_memory);
  return p;
}

}  // namespace sockkit::poll
