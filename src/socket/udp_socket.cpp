// SPDX-License-Identifier: MIT
// UdpSocket: datagrams one at a time or in batches.
#include "sockkit/udp_socket.hpp"

#include "socket/io_errors.hpp"
#include "sys/sys.hpp"

namespace sockkit {

Result<UdpSocket> UdpSocket::open(Family family) noexcept {
  if (family != Family::ipv4 && family != Family::ipv6 && family != Family::unix_domain)
    return failure::wrong_family;
  auto h = sys::open(family, SocketType::datagram);
  if (!h) return h.error();
  return UdpSocket(*h, family);
}

Result<UdpSocket> UdpSocket::bind(const Endpoint& at, const UdpOptions& options) noexcept {
  auto socket = open(at.family());
  if (!socket) return socket.error();
  if (options.reuse_address)
    if (auto st = socket->set_reuse_address(true); !st) return st.error();
  if (options.reuse_port)
    if (auto st = socket->set_reuse_port(true); !st) return st.error();
  if (options.broadcast)
    if (auto st = socket->set_broadcast(true); !st) return st.error();
  if (at.family() == Family::ipv6)
    if (auto st = socket->set_ipv6_only(options.ipv6_only); !st) return st.error();
  if (auto st = sys::bind(socket->native_handle(), at); !st) return st.error();
  return socket;
}

Status UdpSocket::connect(const Endpoint& peer) noexcept {
  if (!is_open()) return failure::closed_socket;
  if (peer.family() != family()) return failure::wrong_family;
  return sys::connect(native_handle(), peer);
}

Result<std::size_t> UdpSocket::send_to(std::span<const std::byte> data,
                                       const Endpoint& to) noexcept {
  if (!is_open()) return failure::closed_socket;
  if (to.family() != family()) return failure::wrong_family;
  auto n = sys::send_to(native_handle(), data.data(), data.size(), &to);
  if (!n) return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::send_timeout);
  return n;
}

Result<std::size_t> UdpSocket::send_to(std::string_view data, const Endpoint& to) noexcept {
  return send_to(std::as_bytes(std::span(data.data(), data.size())), to);
}

Result<std::size_t> UdpSocket::send(std::span<const std::byte> data) noexcept {
  if (!is_open()) return failure::closed_socket;
  auto n = sys::send_to(native_handle(), data.data(), data.size(), nullptr);
  if (!n) return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::send_timeout);
  return n;
}

Result<std::size_t> UdpSocket::send(std::string_view data) noexcept {
  return send(std::as_bytes(std::span(data.data(), data.size())));
}

Result<Datagram> UdpSocket::receive_from(std::span<std::byte> buffer) noexcept {
  if (!is_open()) return failure::closed_socket;
  auto d = sys::receive_from(native_handle(), buffer.data(), buffer.size());
  if (!d)
    return socket_io::blocking_io_error(d.error(), is_nonblocking(), failure::receive_timeout);
  return d;
}

Result<Datagram> UdpSocket::receive_from(std::span<char> buffer) noexcept {
  return receive_from(std::as_writable_bytes(buffer));
}

Result<std::size_t> UdpSocket::send_batch(std::span<const OutgoingDatagram> batch) noexcept {
  if (!is_open()) return failure::closed_socket;
  for (const auto& d : batch)
    if (d.to != nullptr && d.to->family() != family()) return failure::wrong_family;
  if (batch.empty()) return std::size_t{0};
  auto n = sys::send_batch(native_handle(), batch);
  if (!n) return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::send_timeout);
  return n;
}

Result<std::size_t> UdpSocket::receive_batch(std::span<IncomingDatagram> batch) noexcept {
  if (!is_open()) return failure::closed_socket;
  if (batch.empty()) return std::size_t{0};
  auto n = sys::receive_batch(native_handle(), batch);
  if (!n)
    return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::receive_timeout);
  return n;
}

}  // namespace sockkit
