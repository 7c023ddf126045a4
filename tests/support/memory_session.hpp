// SPDX-License-Identifier: MIT
// A transport session in memory, for the layers above it (the WebSocket
// session) in unit tests and fuzz targets: what the "peer" sent waits in
// `incoming`, what the session wrote lands in `written`; either side can block.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "sockkit/event_loop.hpp"
#include "transport/transport.hpp"

namespace sockkit::test {

struct Pipe {
  std::string incoming;
  std::string written;
  std::size_t write_room = SIZE_MAX;  // bytes the stream takes before blocking
  std::size_t read_chunk = SIZE_MAX;  // the most one read returns
  bool eof = false;
};

class MemorySession final : public transport::Session {
 public:
  explicit MemorySession(Pipe& pipe) : pipe_(pipe) {}
  Status handshake() noexcept override { return {}; }
  Result<std::size_t> read(std::span<std::byte> into) noexcept override {
    if (pipe_.incoming.empty()) {
      if (pipe_.eof) return std::size_t{0};
      wants_ = io::readable;
      return std::make_error_code(std::errc::operation_would_block);
    }
    const std::size_t n = std::min({into.size(), pipe_.incoming.size(), pipe_.read_chunk});
    std::memcpy(into.data(), pipe_.incoming.data(), n);
    pipe_.incoming.erase(0, n);
    return n;
  }
  Result<std::size_t> write(std::span<const std::byte> data) noexcept override {
    const std::size_t n = std::min(data.size(), pipe_.write_room);
    if (n == 0) {
      wants_ = io::writable;
      return std::make_error_code(std::errc::operation_would_block);
    }
    pipe_.written.append(reinterpret_cast<const char*>(data.data()), n);
    pipe_.write_room -= n;
    return n;
  }
  Status close_notify() noexcept override { return {}; }
  unsigned wants() const noexcept override { return wants_; }
  bool has_buffered_input() const noexcept override { return false; }

 private:
  Pipe& pipe_;
  unsigned wants_ = 0;
};

}  // namespace sockkit::test
