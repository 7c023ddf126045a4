// SPDX-License-Identifier: MIT
// The plain transport: the socket's own bytes, through the sys layer.
#include "sys/sys.hpp"
#include "transport/transport.hpp"

namespace sockkit::transport {

Result<std::size_t> receive(NativeHandle socket, std::span<std::byte> into) noexcept {
  return sys::receive(socket, into.data(), into.size());
}

Result<std::size_t> send(NativeHandle socket, std::span<const std::byte> data) noexcept {
  return sys::send(socket, data.data(), data.size());
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
