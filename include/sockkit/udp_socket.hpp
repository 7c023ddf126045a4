// SPDX-License-Identifier: MIT
/// @file
/// Datagrams: send-to / receive-from, connected UDP,
/// broadcast, multicast and batches.
///
///       auto rx = sockkit::UdpSocket::bind(sockkit::Endpoint::any_v4(5000));
///       std::byte buf[512];
///       auto d = rx->receive_from(buf);            // who sent it? d->from
///       if (d && d->truncated) { /* datagram was larger than buf: d->full_size */ }
///
///       auto tx = sockkit::UdpSocket::open(sockkit::Family::ipv4);
///       tx->send_to("sensor:42", *sockkit::Endpoint::parse("192.0.2.10:5000"));
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "sockkit/socket.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// How a UDP socket is bound.
struct UdpOptions {
  bool reuse_address = false;  ///< Several receivers on one port (multicast listeners).
  bool reuse_port = false;     ///< SO_REUSEPORT: several sockets share the port.
  bool broadcast = false;      ///< SO_BROADCAST, needed to send to 255.255.255.255.
  bool ipv6_only = false;      ///< IPV6_V6ONLY on an IPv6 socket.
};

/// A UDP socket.
class UdpSocket : public Socket {
 public:
  /// Largest payload of one UDP datagram over IPv4 (65535 - 20 - 8).
  static constexpr std::size_t kMaxDatagram = 65507;

  UdpSocket() noexcept = default;
  /// An unbound socket for sending; the stack picks the source port on first send.
  ///
  ///     auto udp = sockkit::UdpSocket::open(sockkit::Family::ipv4);
  ///
  /// @param family ipv4 or ipv6.
  /// @return the socket, or errc::not_supported (IPv6 on lwIP), errc::too_many_sockets.
  static Result<UdpSocket> open(Family family) noexcept;
  /// A socket bound to `at` (port 0 = any free port; read it with local_endpoint()).
  ///
  ///     auto udp = sockkit::UdpSocket::bind(sockkit::Endpoint::any_v4(5683));
  ///
  /// @param at the local address and port. @param options reuse, broadcast, IPv6-only.
  /// @return the socket, or errc::address_in_use, errc::address_not_available.
  static Result<UdpSocket> bind(const Endpoint& at, const UdpOptions& options = {}) noexcept;

  /// Connected UDP: fixes the peer, so send()/receive() need no address, datagrams
  /// from others are filtered out, and ICMP errors (errc::connection_refused) are reported.
  ///
  ///     udp->connect(*sockkit::Endpoint::parse("10.0.0.9:5683"));
  ///     udp->send("ping");
  ///
  /// @param peer the only address to send to and receive from.
  /// @return failure::wrong_family, errc::network_unreachable.
  Status connect(const Endpoint& peer) noexcept;

  /// Sends one datagram.
  ///
  ///     auto to = sockkit::Endpoint::parse("10.0.0.9:5683");
  ///     udp->send_to(std::as_bytes(std::span(request)), *to);
  ///
  /// @param data the payload. @param to the receiver.
  /// @return the bytes sent (all of them); errc::message_too_large past the
  ///         stack's limit, errc::permission_denied for a broadcast without
  ///         SO_BROADCAST, errc::would_block, errc::network_unreachable.
  Result<std::size_t> send_to(std::span<const std::byte> data, const Endpoint& to) noexcept;
  /// send_to() of text.
  /// @param data the payload. @param to the receiver. @return as send_to() of bytes.
  Result<std::size_t> send_to(std::string_view data, const Endpoint& to) noexcept;
  /// Sends one datagram to the connected peer.
  /// @param data the payload.
  /// @return the bytes sent; errors as send_to(), and errc::connection_refused
  ///         when an earlier datagram met a closed port (ICMP).
  Result<std::size_t> send(std::span<const std::byte> data) noexcept;
  /// send() of text.
  /// @param data the payload. @return as send() of bytes.
  Result<std::size_t> send(std::string_view data) noexcept;
  /// Receives one datagram and its sender; truncation is reported, not hidden.
  ///
  ///     char buf[1500];
  ///     auto d = udp.receive_from(std::span<char>(buf));
  ///     if (d && d->truncated) { /* the sender's datagram was larger than buf */ }
  ///
  /// @param buffer where the payload goes.
  /// @return the datagram's size, sender and whether it was truncated;
  ///         errc::would_block, errc::timed_out (SO_RCVTIMEO),
  ///         errc::connection_refused on a connected socket (ICMP).
  Result<Datagram> receive_from(std::span<std::byte> buffer) noexcept;
  /// receive_from() into characters.
  /// @param buffer where the payload goes. @return as receive_from() of bytes.
  Result<Datagram> receive_from(std::span<char> buffer) noexcept;

  /// Sends several datagrams with as few calls as the stack allows (sendmmsg on
  /// Linux). Returns how many were sent; fewer than asked means the rest would block
  /// or failed (the error of the first unsent one is returned when none were sent).
  /// @param batch the datagrams, each with its receiver (or none when connected).
  /// @return how many were sent, or the first one's error when none was.
  Result<std::size_t> send_batch(std::span<const OutgoingDatagram> batch) noexcept;
  /// Receives up to batch.size() datagrams (recvmmsg on Linux); waits for the
  /// first one on a blocking socket, never for the rest. Returns how many arrived.
  /// @param batch buffers for the datagrams, each filled with size, sender, truncation.
  /// @return how many arrived; errc::would_block when none (non-blocking).
  Result<std::size_t> receive_batch(std::span<IncomingDatagram> batch) noexcept;

 private:
  using Socket::Socket;
};

}  // namespace sockkit

#pragma GCC visibility pop
