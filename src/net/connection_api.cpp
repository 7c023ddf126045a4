// SPDX-License-Identifier: MIT
// Connection's public functions: each forwards to the connection's slot
// (net/connection_slot.hpp), where the state machine is.
#include "net/connection_slot.hpp"

namespace sockkit {
using net::slot;

Status Connection::send(std::span<const std::byte> data) noexcept {
  return slot(*this).send(data);
}
Status Connection::send(std::span<const std::span<const std::byte>> parts) noexcept {
  return slot(*this).send(parts);
}
Status Connection::send(std::string_view data) noexcept {
  return slot(*this).send(data);
}
std::size_t Connection::queued_bytes() const noexcept {
  return slot(*this).queued_bytes();
}
void Connection::shutdown_write() noexcept {
  slot(*this).shutdown_write();
}
void Connection::close(ErrorCode why) noexcept {
  slot(*this).close(why);
}
void Connection::close_after_flush() noexcept {
  slot(*this).close_after_flush();
}
void Connection::pause_reading() noexcept {
  slot(*this).pause_reading();
}
void Connection::resume_reading() noexcept {
  slot(*this).resume_reading();
}
bool Connection::is_open() const noexcept {
  return slot(*this).is_open();
}
NativeHandle Connection::native_handle() const noexcept {
  return slot(*this).handle_;
}
Result<Endpoint> Connection::peer() const noexcept {
  return slot(*this).peer();
}
Result<Endpoint> Connection::local() const noexcept {
  return slot(*this).local();
}
Result<TlsInfo> Connection::tls_info() const {
  return slot(*this).tls_info();
}
Connection::Id Connection::id() const noexcept {
  return slot(*this).id();
}

}  // namespace sockkit
