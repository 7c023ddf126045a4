// SPDX-License-Identifier: MIT
/// @file
/// The RAII socket handle and its typed options.
///
/// A Socket owns one descriptor (move-only, closed in the destructor). It is
/// close-on-exec, and no send on it can raise SIGPIPE. TcpStream, TcpListener
/// and UdpSocket derive from it, so every option below is on each of them:
///
///       auto s = sockkit::TcpStream::connect(ep, std::chrono::seconds(5));
///       s->set_no_delay(true);
///       s->set_keepalive({.enabled = true, .idle = 60s, .interval = 10s, .count = 5});
///       assert(*s->no_delay());
///
/// An option the stack lacks, or that does not fit the socket (no_delay on
/// UDP), is errc::not_supported; an out-of-range value is errc::invalid_argument.
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
  /// @param other the socket whose descriptor this one takes.
  Socket(Socket&& other) noexcept;
  /// Closes the held descriptor and takes `other`'s.
  /// @param other the socket whose descriptor this one takes.
  /// @return this socket.
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  /// Closes the descriptor; errors are ignored (call close() to see them).
  ~Socket();

  /// A new blocking, close-on-exec socket.
  ///
  ///     auto raw = sockkit::Socket::open(sockkit::Family::ipv4, sockkit::SocketType::datagram);
  ///
  /// @param family ipv4, ipv6 or unix_domain.
  /// @param type stream or datagram.
  /// @return the socket, or errc::not_supported (IPv6 or Unix
  ///         sockets on lwIP), errc::too_many_sockets (out of descriptors).
  static Result<Socket> open(Family family, SocketType type) noexcept;

  /// @return whether a descriptor is held.
  bool is_open() const noexcept { return handle_.valid(); }
  /// @return the descriptor, still owned by this object.
  NativeHandle native_handle() const noexcept { return handle_; }
  /// Gives up ownership; the caller must close the descriptor.
  /// @return the descriptor (invalid when none was held).
  NativeHandle release() noexcept;
  /// @return the address family it was opened with.
  Family family() const noexcept { return family_; }
  /// Closes now and reports the stack's answer. The socket is empty afterwards.
  /// @return the stack's error on close (rare: a delayed write error), or
  ///         errc::bad_descriptor when nothing was open.
  Status close() noexcept;
  /// Closes with an RST instead of a FIN (SO_LINGER {1, 0}): the peer's next
  /// receive fails with errc::connection_reset; unsent data is discarded.
  /// @return errc::bad_descriptor when nothing was open.
  Status abort() noexcept;

  /// Non-blocking mode: calls that would wait fail with errc::would_block.
  /// @param on true for non-blocking, false for blocking.
  /// @return errc::bad_descriptor when nothing is open.
  Status set_nonblocking(bool on) noexcept;
  /// @return the mode set by set_nonblocking() (sockets start blocking).
  bool is_nonblocking() const noexcept { return nonblocking_; }

  /// Binds to a local address: for a client, the source address (and port; 0 =
  /// any free one) it connects from. (Listeners: TcpListener::bind; UDP:
  /// UdpSocket::bind.)
  ///
  ///     // out through the LTE modem's address
  ///     socket.bind(*sockkit::Endpoint::parse("192.168.8.20:0"));
  ///
  /// @param local the address and port to send from.
  /// @return failure::wrong_family when `local` does not fit the socket,
  ///         errc::address_in_use, errc::address_not_available (not this host's).
  Status bind(const Endpoint& local) noexcept;
  /// @return the address this socket is bound to (after bind, or after
  ///         connect: the ephemeral port), or the stack's error.
  Result<Endpoint> local_endpoint() const noexcept;
  /// @return the address of the connected peer; errc::not_connected when there is none.
  Result<Endpoint> peer_endpoint() const noexcept;
  /// Shuts one or both directions down without closing the descriptor.
  /// @param how read, write or both.
  /// @return errc::not_connected when the socket is not connected.
  Status shutdown(Shutdown how) noexcept;
  /// Reads and clears the pending socket error (SO_ERROR).
  /// @return the error, or an empty error_code when none is pending.
  ErrorCode take_pending_error() noexcept;
  /// Waits until readable or the timeout passes.
  /// @param timeout how long to wait; negative waits forever.
  /// @return true when readable (data, end of stream, a connection to accept
  ///         or an error to read), false on timeout; or the stack's error.
  Result<bool> wait_readable(std::chrono::milliseconds timeout) const noexcept;
  /// Waits until writable or the timeout passes.
  /// @param timeout how long to wait; negative waits forever.
  /// @return true when writable (or a connect finished), false on timeout;
  ///         or the stack's error.
  Result<bool> wait_writable(std::chrono::milliseconds timeout) const noexcept;

  // -- Typed options. Each setter has a getter that reads the stack's value back.
  // Every one fails with errc::bad_descriptor on a closed socket and
  // errc::not_supported where the stack or the socket's type lacks the option.

  /// SO_REUSEADDR: bind a port that has connections in TIME_WAIT.
  /// @param on whether to set it. @return the stack's error.
  Status set_reuse_address(bool on) noexcept;
  /// @return whether SO_REUSEADDR is set, or the stack's error.
  Result<bool> reuse_address() const noexcept;
  /// SO_REUSEPORT: several sockets share one port (load spreading; Linux only).
  /// @param on whether to set it. @return errc::not_supported on lwIP.
  Status set_reuse_port(bool on) noexcept;
  /// @return whether SO_REUSEPORT is set, or the stack's error.
  Result<bool> reuse_port() const noexcept;
  /// TCP_NODELAY: disable Nagle; small writes leave at once (interactive protocols).
  /// @param on true disables Nagle. @return errc::not_supported on UDP.
  Status set_no_delay(bool on) noexcept;
  /// @return whether TCP_NODELAY is set, or the stack's error.
  Result<bool> no_delay() const noexcept;
  /// SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT in one go.
  /// @param settings on or off, and the probe timing.
  /// @return errc::invalid_argument for a time or count out of range.
  Status set_keepalive(const Keepalive& settings) noexcept;
  /// @return the keepalive settings the stack holds, or its error.
  Result<Keepalive> keepalive() const noexcept;
  /// TCP_USER_TIMEOUT: fail the connection when sent data stays unacknowledged
  /// this long.
  /// @param timeout the limit; zero restores the stack default (about 15
  ///        minutes of retransmissions on Linux).
  /// @return errc::not_supported on lwIP.
  Status set_user_timeout(std::chrono::milliseconds timeout) noexcept;
  /// @return the TCP_USER_TIMEOUT set (zero: the default), or the stack's error.
  Result<std::chrono::milliseconds> user_timeout() const noexcept;
  /// SO_RCVTIMEO for blocking receives: when it expires the call fails with
  /// errc::timed_out. Linux keeps it in clock ticks, so the value read back
  /// may be rounded up by a few milliseconds.
  /// @param timeout the limit; zero waits forever. @return the stack's error.
  Status set_receive_timeout(std::chrono::milliseconds timeout) noexcept;
  /// @return the receive timeout (zero: none), or the stack's error.
  Result<std::chrono::milliseconds> receive_timeout() const noexcept;
  /// SO_SNDTIMEO for blocking sends (and connects): when it expires the call
  /// fails with errc::timed_out.
  /// @param timeout the limit; zero waits forever. @return the stack's error.
  Status set_send_timeout(std::chrono::milliseconds timeout) noexcept;
  /// @return the send timeout (zero: none), or the stack's error.
  Result<std::chrono::milliseconds> send_timeout() const noexcept;
  /// SO_RCVBUF in bytes. Linux doubles the value for bookkeeping and reads
  /// back the doubled size.
  /// @param bytes the buffer size. @return errc::invalid_argument when not positive.
  Status set_receive_buffer_size(int bytes) noexcept;
  /// @return the receive buffer size the stack reports, or its error.
  Result<int> receive_buffer_size() const noexcept;
  /// SO_SNDBUF in bytes (doubled and read back doubled on Linux).
  /// @param bytes the buffer size. @return errc::not_supported on lwIP.
  Status set_send_buffer_size(int bytes) noexcept;
  /// @return the send buffer size the stack reports, or its error.
  Result<int> send_buffer_size() const noexcept;
  /// SO_LINGER.
  /// @param linger nullopt = off (close returns at once, the stack sends what
  ///        is queued); N seconds = close blocks up to N s for queued data;
  ///        0 s = close sends RST.
  /// @return the stack's error.
  Status set_linger(std::optional<std::chrono::seconds> linger) noexcept;
  /// @return the linger setting (nullopt: off), or the stack's error.
  Result<std::optional<std::chrono::seconds>> linger() const noexcept;
  /// SO_BROADCAST: allow sending to broadcast addresses (UDP).
  /// @param on whether to allow it. @return the stack's error.
  Status set_broadcast(bool on) noexcept;
  /// @return whether SO_BROADCAST is set, or the stack's error.
  Result<bool> broadcast() const noexcept;
  /// IPV6_V6ONLY: an IPv6 socket that does not also accept IPv4-mapped peers.
  /// @param on whether to set it. @return errc::not_supported on an IPv4 socket.
  Status set_ipv6_only(bool on) noexcept;
  /// @return whether IPV6_V6ONLY is set, or the stack's error.
  Result<bool> ipv6_only() const noexcept;
  /// Joins a multicast group on an interface.
  ///
  ///     udp.join_multicast(*Endpoint::parse("239.1.2.3:0"));
  ///
  /// @param group the group's address (the port is ignored).
  /// @param interface_index the interface (Endpoint's interface_index()); 0 =
  ///        the stack's choice.
  /// @return errc::address_in_use when already joined there,
  ///         failure::unknown_interface, errc::not_supported without multicast
  ///         (lwIP without LWIP_IGMP).
  Status join_multicast(const Endpoint& group, std::uint32_t interface_index = 0) noexcept;
  /// Leaves a multicast group joined with join_multicast().
  /// @param group the group's address. @param interface_index as when joining.
  /// @return errc::address_not_available when not a member there.
  Status leave_multicast(const Endpoint& group, std::uint32_t interface_index = 0) noexcept;
  /// Sends and receives only through the interface `name` (SO_BINDTODEVICE on
  /// Linux; on lwIP a netif name such as "tp0"), whatever the routing table
  /// prefers: a gateway's cellular uplink beside its Ethernet.
  ///
  ///     socket.bind_to_device("wwan0");
  ///
  /// @param name the interface; empty undoes it.
  /// @return failure::unknown_interface when no interface has that name,
  ///         errc::permission_denied without CAP_NET_RAW on older kernels.
  Status bind_to_device(std::string_view name) noexcept;
  /// IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS.
  /// @param hops 0..255. @return errc::invalid_argument out of range.
  Status set_multicast_ttl(int hops) noexcept;
  /// @return the multicast TTL, or the stack's error.
  Result<int> multicast_ttl() const noexcept;
  /// IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP: receive our own multicast datagrams.
  /// @param on whether to receive them. @return the stack's error.
  Status set_multicast_loopback(bool on) noexcept;
  /// @return whether multicast loopback is on, or the stack's error.
  Result<bool> multicast_loopback() const noexcept;
  /// IP_TOS / IPV6_TCLASS, e.g. 0xb8 for DSCP EF.
  /// @param tos 0..255. @return errc::invalid_argument out of range.
  Status set_type_of_service(int tos) noexcept;
  /// @return the type of service, or the stack's error.
  Result<int> type_of_service() const noexcept;

 protected:
  /// Adopts a descriptor (derived types' factories).
  /// @param handle the descriptor, now owned. @param family its address family.
  Socket(NativeHandle handle, Family family) noexcept : handle_(handle), family_(family) {}

 private:
  NativeHandle handle_{};
  Family family_ = Family::none;
  bool nonblocking_ = false;
};

}  // namespace sockkit

#pragma GCC visibility pop
