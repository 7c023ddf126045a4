// SPDX-License-Identifier: MIT
// The plain transport: the socket's own bytes, through the sys layer.
#include <new>

#include "sockkit/event_loop.hpp"
#include "sys/sys.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {

Result<std::size_t> receive(NativeHandle socket, std::span<std::byte> into) noexcept {
  return plain_receive(socket, into);
}

Result<std::size_t> send(NativeHandle socket, std::span<const std::byte> data) noexcept {
  return plain_send(socket, data);
}

Result<std::size_t> send_gather(NativeHandle socket,
                                std::span<const std::span<const std::byte>> parts) noexcept {
  return sys::send_gather(socket, parts);
}

Status shutdown_write(NativeHandle socket) noexcept {
  return sys::shutdown(socket, Shutdown::write);
}

Status close(NativeHandle socket) noexcept {
  return sys::close(socket);
}

Result<Endpoint> peer(NativeHandle socket) noexcept {
  return sys::peer_endpoint(socket);
}

Result<Endpoint> local(NativeHandle socket) noexcept {
  return sys::local_endpoint(socket);
}

}  // namespace sockkit::transport

namespace sockkit::transport {
namespace {

class PlainSession final : public Session {
 public:
  explicit PlainSession(NativeHandle socket) noexcept : socket_(socket) {}
  Status handshake() noexcept override { return {}; }
  Result<std::size_t> read(std::span<std::byte> into) noexcept override {
    wants_ = io::readable;
    return receive(socket_, into);
  }
  Result<std::size_t> write(std::span<const std::byte> data) noexcept override {
    wants_ = io::writable;
    return send(socket_, data);
  }
  Status close_notify() noexcept override { return {}; }  // FIN is the caller's
  unsigned wants() const noexcept override { return wants_; }
  bool has_buffered_input() const noexcept override { return false; }

 private:
  NativeHandle socket_;
  unsigned wants_ = io::readable;
};

}  // namespace

std::unique_ptr<Session> make_plain_session(NativeHandle socket) noexcept {
  return std::unique_ptr<Session>(new (std::nothrow) PlainSession(socket));
}

}  // namespace sockkit::transport
