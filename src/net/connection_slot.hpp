// SPDX-License-Identifier: MIT
// What a Connection is inside the library: the public class plus its read
// and write state, 40 bytes (an idle connection holds no buffers, and no
// vtable pointer: the loop calls it through a plain function). Connections
// live in their group's slab as ConnectionSlots; handlers see them as
// Connection&, whose functions forward here.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "sockkit/connection.hpp"

namespace sockkit::net {

struct Chunk;
class Group;
struct SessionState;

class ConnectionSlot final : public Connection {
 public:
  ConnectionSlot() noexcept = default;

  // The public functions' bodies (Connection forwards to these).
  Status send(std::span<const std::byte> data) noexcept;
  Status send(std::span<const std::span<const std::byte>> parts) noexcept;
  Status send(std::string_view data) noexcept;
  std::size_t queued_bytes() const noexcept;
  void shutdown_write() noexcept;
  void close(ErrorCode why = {}) noexcept;
  void close_after_flush() noexcept;
  void pause_reading() noexcept;
  void resume_reading() noexcept;
  bool is_open() const noexcept;
  Result<Endpoint> peer() const noexcept;
  Result<Endpoint> local() const noexcept;
  Result<TlsInfo> tls_info() const;
  Connection::Id id() const noexcept;

  /// What the loop calls for the connection's descriptor (it has no vtable:
  /// loop::LoopAccess::watch).
  void on_io(unsigned events) noexcept;
  void advance_handshake() noexcept;
  void on_readable() noexcept;
  Result<std::size_t> read_some(std::span<std::byte> into) noexcept;
  std::span<std::byte> read_space() noexcept;
  bool keep_unconsumed(std::span<const std::byte> data, std::size_t consumed) noexcept;
  Result<std::size_t> write_some(std::span<const std::byte> data) noexcept;
  Status shut_write_side() noexcept;
  void after_eof(bool hangup) noexcept;
  void on_writable() noexcept;
  void update_interest() noexcept;
  void finish(ErrorCode why) noexcept;
  Group& group() const noexcept;  // from the slab block this connection lives in

  // What only a busy or layered connection needs, apart, so that an idle
  // plain connection holds none of it (40 bytes instead of 56).
  struct Extras {
    Chunk* out = nullptr;           // write queue; null when empty
    Chunk* in = nullptr;            // unconsumed input; null when none
    SessionState* layer = nullptr;  // null: plain
  };
  Chunk* out() const noexcept { return extras_ != nullptr ? extras_->out : nullptr; }
  Chunk* in() const noexcept { return extras_ != nullptr ? extras_->in : nullptr; }
  SessionState* layer() const noexcept { return extras_ != nullptr ? extras_->layer : nullptr; }
  /// The extras, taken from the group when first needed; null when memory is out.
  Extras* extras() noexcept;
  /// Gives the extras back once they hold nothing.
  void trim_extras() noexcept;
  /// Frees the unconsumed input, if any.
  void release_input() noexcept;

  Extras* extras_ = nullptr;                     // null: none of the above
  std::uint32_t idle_prev_ = 0, idle_next_ = 0;  // group's idle list (slot + 1; 0 = none)
  std::uint32_t last_active_ms_ = 0;
  std::uint32_t generation_ = 0;  // times this slot was used: the high half of id()
  NativeHandle handle_{};
  std::uint16_t flags_ = 0;
};
static_assert(sizeof(ConnectionSlot) <= 40, "an idle connection fits in 40 bytes");

/// The library's view of a connection a handler was given.
inline ConnectionSlot& slot(Connection& c) noexcept {
  return static_cast<ConnectionSlot&>(c);
}
inline const ConnectionSlot& slot(const Connection& c) noexcept {
  return static_cast<const ConnectionSlot&>(c);
}

}  // namespace sockkit::net
