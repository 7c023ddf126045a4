// SPDX-License-Identifier: MIT
// sockkit/socket.hpp — the RAII socket handle and its typed options.
//
// A Socket owns one descriptor (move-only, closed in the destructor). It is
// close-on-exec, and no send on it can raise SIGPIPE. TcpStream, TcpListener
// and UdpSocket derive from it, so every option below is on each of them:
//
//   auto s = sockkit::TcpStream::connect(ep, std::chrono::seconds(5));
//   s->set_no_delay(true);
//   s->set_keepalive({.enabled = true, .idle = 60s, .interval = 10s, .count = 5});
//   assert(*s->no_delay());
//
// An option the stack lacks, or that does not fit the socket (no_delay on
// UDP), is errc::not_supported; an out-of-range value is errc::invalid_argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sockkit/endpoint.hpp"
#include "sockkit/result.hpp"
#include "sockkit/types.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// TCP keepalive: probes an idle connection so a dead peer or a NAT that
/// forgot the connection is noticed (the stale cloud connection).
/// Dead after idle + interval * count without an answer.
struct Keepalive {
  bool enabled = true;                ///< False: SO_KEEPALIVE off, the rest ignored.
  std::chrono::seconds idle{60};      ///< Idle time before the first probe (1..32767 s).
  std::chrono::seconds interval{10};  ///< Between probes (1..32767 s).
  int count = 5;                      ///< Unanswered probes before the connection dies (1..127).
};

/// Owns one socket descriptor.
class Socket {
 public:
  /// An empty socket (is_open() == false).
  Socket() noexcept = default;
  /// Takes the descriptor; `other` is empty afterwards.
  Socket(Socket&& other) noexcept;
  /// Closes the held descriptor and takes `other`'s.
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  /// Closes the descriptor; errors are ignored (call close() to see them).
  ~Socket();

  /// A new blocking, close-on-exec socket.
  ///
  ///     auto raw = sockkit::Socket::open(sockkit::Family::ipv4, sockkit::SocketType::datagram);
  static Result<Socket> open(Family family, SocketType type) noexcept;

  /// A descriptor is held.
  bool is_open() const noexcept { return handle_.valid(); }
  /// The descriptor, still owned by this object.
  NativeHandle native_handle() const noexcept { return handle_; }
  /// Gives up ownership; the caller must close the descriptor.
  NativeHandle release() noexcept;
  /// The address family it was opened with.
  Family family() const noexcept { return family_; }
  /// Closes now and reports the stack's answer. The socket is empty afterwards.
  Status close() noexcept;
  /// Closes with an RST instead of a FIN (SO_LINGER {1, 0}): the peer's next
  /// receive fails with errc::connection_reset; unsent data is discarded.
  Status abort() noexcept;

  /// Non-blocking mode: calls that would wait fail with errc::would_block.
  Status set_nonblocking(bool on) noexcept;
  /// As set by set_nonblocking() (sockets start blocking).
  bool is_nonblocking() const noexcept { return nonblocking_; }

  /// Binds to a local address: for a client, the source address (and port; 0 =
  /// any free one) it connects from. failure::wrong_family when `local` does not
  /// fit the socket. (Listeners: TcpListener::bind; UDP: UdpSocket::bind.)
  ///
  ///     socket.bind(*sockkit::Endpoint::parse("192.168.8.20:0"));  // out through the LTE modem's
  ///     address
  Status bind(const Endpoint& local) noexcept;
  /// Address this socket is bound to (after bind, or after connect: the ephemeral port).
  Result<Endpoint> local_endpoint() const noexcept;
  /// Address of the connected peer; errc::not_connected when there is none.
  Result<Endpoint> peer_endpoint() const noexcept;
  /// Shuts one or both directions down without closing the descriptor.
  Status shutdown(Shutdown how) noexcept;
  /// Reads and clears the pending socket error (SO_ERROR); zero when none.
  std::error_code take_pending_error() noexcept;
  ///@{
  /// Waits until readable (and/or writable) or the timeout passes; true when ready.
  /// A negative timeout waits forever.
  Result<bool> wait_readable(std::chrono::milliseconds timeout) const noexcept;
  Result<bool> wait_writable(std::chrono::milliseconds timeout) const noexcept;
  ///@}

  // -- Typed options. Each setter has a getter that reads the stack's value back.

  ///@{
  /// SO_REUSEADDR: bind a port that has connections in TIME_WAIT.
  Status set_reuse_address(bool on) noexcept;
  Result<bool> reuse_address() const noexcept;
  ///@}
  ///@{
  /// SO_REUSEPORT: several sockets share one port (load spreading).
  Status set_reuse_port(bool on) noexcept;
  Result<bool> reuse_port() const noexcept;
  ///@}
  ///@{
  /// TCP_NODELAY: disable Nagle; small writes leave at once (interactive protocols).
  Status set_no_delay(bool on) noexcept;
  Result<bool> no_delay() const noexcept;
  ///@}
  ///@{
  /// SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT in one go.
  Status set_keepalive(const Keepalive& settings) noexcept;
  Result<Keepalive> keepalive() const noexcept;
  ///@}
  ///@{
  /// TCP_USER_TIMEOUT: fail the connection when sent data stays unacknowledged this long.
  /// Zero restores the stack default (about 15 minutes of retransmissions on Linux).
  Status set_user_timeout(std::chrono::milliseconds timeout) noexcept;
  Result<std::chrono::milliseconds> user_timeout() const noexcept;
  ///@}
  ///@{
  /// SO_RCVTIMEO / SO_SNDTIMEO for blocking calls; zero means wait forever.
  /// When it expires the call fails with errc::timed_out. Linux keeps these in
  /// clock ticks, so the value read back may be rounded up by a few milliseconds.
  Status set_receive_timeout(std::chrono::milliseconds timeout) noexcept;
  Result<std::chrono::milliseconds> receive_timeout() const noexcept;
  Status set_send_timeout(std::chrono::milliseconds timeout) noexcept;
  Result<std::chrono::milliseconds> send_timeout() const noexcept;
  ///@}
  ///@{
  /// SO_RCVBUF / SO_SNDBUF in bytes. Linux doubles the value for bookkeeping and
  /// reads back the doubled size; lwIP lacks SO_SNDBUF (errc::not_supported).
  Status set_receive_buffer_size(int bytes) noexcept;
  Result<int> receive_buffer_size() const noexcept;
  Status set_send_buffer_size(int bytes) noexcept;
  Result<int> send_buffer_size() const noexcept;
  ///@}
  ///@{
  /// SO_LINGER: nullopt = off (close returns at once, the stack sends what is queued);
  /// N seconds = close blocks up to N s for queued data; 0 s = close sends RST.
  Status set_linger(std::optional<std::chrono::seconds> linger) noexcept;
  Result<std::optional<std::chrono::seconds>> linger() const noexcept;
  ///@}
  ///@{
  /// SO_BROADCAST: allow sending to broadcast addresses (UDP).
  Status set_broadcast(bool on) noexcept;
  Result<bool> broadcast() const noexcept;
  ///@}
  ///@{
  /// IPV6_V6ONLY: an IPv6 socket that does not also accept IPv4-mapped peers.
  Status set_ipv6_only(bool on) noexcept;
  Result<bool> ipv6_only() const noexcept;
  ///@}
  ///@{
  /// Joins / leaves a multicast group on an interface (0 = the stack's choice).
  ///
  ///     udp.join_multicast(*Endpoint::parse("239.1.2.3:0"));
  Status join_multicast(const Endpoint& group, std::uint32_t interface_index = 0) noexcept;
  Status leave_multicast(const Endpoint& group, std::uint32_t interface_index = 0) noexcept;
  ///@}
  /// Sends and receives only through the interface `name` (SO_BINDTODEVICE on
  /// Linux; on lwIP a netif name such as "tp0"), whatever the routing table
  /// prefers: a gateway's cellular uplink beside its Ethernet. Empty: undoes it.
  /// failure::unknown_interface when no interface has that name.
  ///
  ///     socket.bind_to_device("wwan0");
  Status bind_to_device(std::string_view name) noexcept;
  ///@{
  /// IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS (0..255).
  Status set_multicast_ttl(int hops) noexcept;
  Result<int> multicast_ttl() const noexcept;
  ///@}
  ///@{
  /// IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP: receive our own multicast datagrams.
  Status set_multicast_loopback(bool on) noexcept;
  Result<bool> multicast_loopback() const noexcept;
  ///@}
  ///@{
  /// IP_TOS / IPV6_TCLASS (0..255), e.g. 0xb8 for DSCP EF.
  Status set_type_of_service(int tos) noexcept;
  Result<int> type_of_service() const noexcept;
  ///@}

 protected:
  /// Adopts a descriptor (derived types' factories).
  Socket(NativeHandle handle, Family family) noexcept : handle_(handle), family_(family) {}

 private:
  NativeHandle handle_{};
  Family family_ = Family::none;
  bool nonblocking_ = false;
};

}  // namespace sockkit

#pragma GCC visibility pop
