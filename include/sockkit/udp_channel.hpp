// SPDX-License-Identifier: MIT
/// @file
/// Datagrams through the event loop: the loop reads
/// the socket and calls you for each datagram, as libuv's uv_udp_recv_start
/// does, with no watch() and no drain loop of your own.
///
///       struct Collector : sockkit::UdpHandler {
///         void on_datagram(sockkit::UdpChannel& ch, std::span<const std::byte> data,
///                          const sockkit::Datagram& info) override {
///           (void)ch.send_to(data, info.from);          // echo it back
///         }
///       } collector;
///       auto socket = sockkit::UdpSocket::bind(*sockkit::Endpoint::parse("0.0.0.0:5000"));
///       auto channel = sockkit::UdpChannel::create(*loop, std::move(*socket), collector);
///       loop->run();
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include "sockkit/event_loop.hpp"
#include "sockkit/udp_socket.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

class UdpChannel;

/// Callbacks of a UdpChannel, on the loop's thread. Any of them may destroy the channel.
class UdpHandler {
 public:
  /// One datagram.
  /// @param channel the channel. @param data the payload, valid during the call only.
  /// @param info the sender, and `truncated` when it was longer than
  ///        UdpChannelOptions::max_datagram.
  virtual void on_datagram(UdpChannel& channel, std::span<const std::byte> data,
                           const Datagram& info) = 0;
  /// A receive failed for another reason than "nothing to read" (for example
  /// ICMP port unreachable on a connected socket). Receiving goes on.
  virtual void on_receive_error(UdpChannel& /*channel*/, ErrorCode /*why*/) {}

 protected:
  ~UdpHandler() = default;
};

/// Limits of a UdpChannel.
struct UdpChannelOptions {
  std::size_t max_datagram = 2048;  ///< Receive buffer; longer datagrams arrive truncated.
  unsigned max_per_wakeup = 64;     ///< Datagrams read before other sockets get a turn.
};

/// Counters of a UdpChannel.
struct UdpChannelStats {
  std::uint64_t received = 0;        ///< Datagrams delivered to the handler.
  std::uint64_t truncated = 0;       ///< Of those, cut to the buffer size.
  std::uint64_t receive_errors = 0;  ///< Receive failures (e.g. ICMP errors on a connected socket).
  std::uint64_t sent = 0;            ///< Datagrams sent.
};

/// A UDP socket read by the loop. Use it on the loop's thread.
class UdpChannel {
 public:
  /// Takes `socket` (made non-blocking) and starts receiving at once.
  ///
  ///     auto udp = sockkit::UdpSocket::bind(sockkit::Endpoint::any_v4(5683));
  ///     auto channel = sockkit::UdpChannel::create(*loop, std::move(*udp), handler);
  ///
  /// @param loop the loop it runs on. @param socket a bound (or connected) UDP socket, taken.
  /// @param handler told of each datagram. @param options buffer size, fairness.
  /// @return the channel, or the loop's watch() error (failure::limit_reached).
  static Result<UdpChannel> create(EventLoop& loop, UdpSocket socket, UdpHandler& handler,
                                   const UdpChannelOptions& options = {});
  /// Stops receiving and closes the socket; no callback follows. Safe inside
  /// the channel's own callbacks (the memory is freed once they unwind).
  ~UdpChannel();
  /// Takes over `other`, which is left empty (only destruction and assignment are valid).
  /// @param other the channel taken over.
  UdpChannel(UdpChannel&& other) noexcept;
  /// Destroys what this held (as the destructor does), then takes over `other`.
  /// @param other the channel taken over. @return this channel.
  UdpChannel& operator=(UdpChannel&& other) noexcept;
  UdpChannel(const UdpChannel&) = delete;
  UdpChannel& operator=(const UdpChannel&) = delete;

  /// Sends one datagram now: a datagram is never queued (UDP may drop it
  /// anyway; resend if it matters).
  ///
  ///     auto sent = channel->send_to(reply, info.from);
  ///
  /// @param data the payload. @param to the receiver.
  /// @return the bytes sent; errc::would_block when the send buffer is full,
  ///         and the errors of UdpSocket::send_to().
  Result<std::size_t> send_to(std::span<const std::byte> data, const Endpoint& to) noexcept;
  /// send_to() of text.
  /// @param data the payload. @param to the receiver. @return as send_to() of bytes.
  Result<std::size_t> send_to(std::string_view data, const Endpoint& to) noexcept;
  /// Sends on a connected socket.
  /// @param data the payload. @return as send_to().
  Result<std::size_t> send(std::span<const std::byte> data) noexcept;

  /// Stops calling on_datagram (datagrams wait in the socket's buffer, then drop).
  void pause() noexcept;
  /// Receives again.
  void resume() noexcept;

  /// @return the socket, for options and local_endpoint(); do not close it or read it.
  UdpSocket& socket() noexcept;
  /// @return the counters since create().
  UdpChannelStats stats() const noexcept;

 private:
  struct Impl;
  explicit UdpChannel(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sockkit

#pragma GCC visibility pop
