// SPDX-License-Identifier: MIT
// What a Client is inside: a Group for its connections, the connects to
// endpoints in progress, and the dials by name in progress (which the link
// layer runs; the client only owns and cancels them).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "net/group.hpp"
#include "sockkit/client.hpp"

namespace sockkit::net {

class PendingConnect;

/// A dial by name that a Client owns: the link layer's.
class PendingDial {
 public:
  virtual ~PendingDial() = default;
  /// Closes what it started; nothing calls back afterwards. Safe from its own callbacks.
  virtual void cancel() noexcept = 0;
  /// True once it has reported its outcome (or been cancelled).
  virtual bool finished() const noexcept = 0;
};

/// Opens a stream socket for `to`, applies `options` (uplink, keepalive, user
/// timeout) and starts a non-blocking connect.
Result<TcpStream> start_connect(const Endpoint& to, const ConnectOptions& options) noexcept;

class ClientImpl {
 public:
  ClientImpl(EventLoop& loop, ConnectionHandler& handler, const ConnectionOptions& limits)
      : group(loop, handler, limits) {}
  ~ClientImpl() { retire(); }

  /// Abandons pending connects and closes every connection; nothing calls back afterwards.
  void retire() noexcept;
  void cancel_pending() noexcept;

  /// One connect to `to`; TLS (if asked for) must be done by `timeout` too.
  /// `tunnel_target`: `to` is options.proxy's address, to be asked to connect there.
  Status connect(const Endpoint& to, std::chrono::milliseconds timeout,
                 const ConnectOptions& options, std::string tunnel_target = {}) noexcept;
  /// A connected stream joins the group; TLS starts, bounded by `deadline`.
  /// A failure is reported as on_connect_failed(to, why).
  /// `tunnel_target`: through options.proxy, which was asked to connect there.
  void adopt_connected(TcpStream&& stream, const Endpoint& to, const ConnectOptions& options,
                       EventLoop::Clock::time_point deadline,
                       std::string_view tunnel_target = {}) noexcept;
  /// Takes ownership of a dial by name; finished ones are let go.
  void add_dial(std::unique_ptr<PendingDial> dial);
  /// The client's own resolver, made on first use.
  Result<Resolver*> own_resolver() noexcept;

  /// Ends a pending connect: stops watching it and forgets it. Returns its stream.
  TcpStream complete(PendingConnect* p) noexcept;
  std::size_t pending() const noexcept;

  Group group;

 private:
  void drop(PendingConnect* p) noexcept;
  void release_dials(bool all) noexcept;

  std::vector<PendingConnect*> pending_;
  std::vector<std::unique_ptr<PendingDial>> dials_;
  std::optional<Resolver> own_resolver_;
};

}  // namespace sockkit::net

namespace sockkit {
// The facade's pimpl is the connection layer's client.
struct Client::Impl final : net::ClientImpl {
  using ClientImpl::ClientImpl;
};
}  // namespace sockkit
