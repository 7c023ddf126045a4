// SPDX-License-Identifier: MIT
/// @file
/// One persistent connection to a server that
/// survives the network: connect timeout, keepalive, TCP user timeout,
/// application heartbeats, an idle watchdog, reconnect with backoff and jitter,
/// name re-resolution on every attempt, Happy Eyeballs (RFC 8305), and a
/// bounded outbox for what is written while disconnected.
///
/// A smart meter's cloud link, made robust in three parts (keepalive,
/// heartbeats, backoff 1…60 s) plus a watchdog:
///
///       struct Meter : sockkit::ReconnectingHandler {
///         Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
///           return d.size();                                 // any data answers the ping
///         }
///         void on_heartbeat(Connection& c) override { (void)c.send("PING\n"); }
///         void on_retry_scheduled(std::chrono::milliseconds after, unsigned n) override {
///           printf("retry %u in %lld ms\n", n, (long long)after.count());
///         }
///       } meter;
///       auto link = sockkit::ReconnectingClient::create(*loop, "cloud.example:8883", meter,
///           {.heartbeat = {.interval = 30s, .timeout = 10s}, .idle_timeout = 120s});
///       link->start();
///       link->send("reading 42\n");   // queued in the outbox while disconnected
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sockkit/backoff.hpp"
#include "sockkit/client.hpp"
#include "sockkit/connection.hpp"
#include "sockkit/function.hpp"
#include "sockkit/resolver.hpp"
#include "sockkit/tls.hpp"
#include "sockkit/websocket.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

/// An application-level heartbeat, like MQTT's PINGREQ every 30 seconds.
/// TCP keepalive proves the path; only the application proves the peer is alive.
struct Heartbeat {
  std::chrono::milliseconds interval{0};     ///< Ping this long after the last answer; 0 = off.
  std::chrono::milliseconds timeout{10000};  ///< No answer this long after a ping: reconnect.
  bool any_data_answers = true;  ///< Any received byte counts as the answer; false: only
                                 ///< ReconnectingClient::heartbeat_answered() does.
};

/// What happens to a message written when the outbox is full.
enum class OutboxOverflow : std::uint8_t {
  drop_oldest,  ///< Make room by dropping the oldest queued messages (fresh data wins).
  drop_newest,  ///< Refuse the new message (what is queued wins).
};

/// Everything about one client connection, with defaults for a device on a
/// cellular or NATed link. Each field says why it has its default.
struct ReconnectingOptions {
  /// An attempt gives up after this, name resolution included: one deadline
  /// covers the lookup and the connects (the kernel's own limit is about two
  /// minutes of SYN retries; a device should notice a dead server sooner).
  std::chrono::milliseconds connect_timeout{10000};
  /// TCP keepalive: probes an idle connection, so a NAT that forgot it (a
  /// silently dead cloud link) is noticed in idle + interval x count = 60 s,
  /// and the probes themselves keep NAT state alive. Set `enabled = false` to turn off.
  Keepalive keepalive{.enabled = true,
                      .idle = std::chrono::seconds(30),
                      .interval = std::chrono::seconds(10),
                      .count = 3};
  /// TCP_USER_TIMEOUT (Linux): data unacknowledged this long kills the
  /// connection, instead of retransmitting for about 15 minutes. 0 = kernel default.
  std::chrono::milliseconds user_timeout{30000};
  /// Application heartbeat (off by default: it needs a ping in your protocol).
  Heartbeat heartbeat{};
  /// Watchdog: nothing received this long closes and reconnects (a meter might use 120 s). 0 = off.
  std::chrono::milliseconds idle_timeout{0};
  /// Waits between attempts: 1, 2, 4 … 60 s with ±20 % jitter by default.
  BackoffPolicy reconnect{};
  /// Happy Eyeballs (RFC 8305 "Connection Attempt Delay"): with IPv6 and IPv4
  /// addresses, the next address is tried this long after the previous one
  /// started, without waiting for it to fail.
  std::chrono::milliseconds happy_eyeballs_delay{250};
  /// RFC 8305 "Resolution Delay": when the IPv4 answer arrives first, IPv6's
  /// is awaited this long before connecting starts (an IPv6 answer starts it at once).
  std::chrono::milliseconds resolution_delay{50};
  /// Resolves host names without blocking the loop; share one per loop for one
  /// cache. Null: the client makes its own with the system's configuration.
  Resolver* resolver = nullptr;
  /// Bytes the outbox holds while disconnected (whole messages).
  std::size_t outbox_limit = 64 * 1024;
  OutboxOverflow outbox_overflow = OutboxOverflow::drop_oldest;  ///< What a full outbox gives up.
  /// Buffering limits of the connection itself.
  ConnectionOptions limits{};
  /// TLS on every connection (a client context); null: plain.
  std::shared_ptr<TlsContext> tls{};
  /// The name sent as SNI and checked in the certificate; empty: the host of
  /// the target given to create() (so "broker.example.com:8883" checks that name).
  std::string tls_server_name{};
  /// A WebSocket over every connection (after TLS, if any), for a broker or
  /// server reached through a WebSocket endpoint; empty: none.
  std::optional<WebSocketOptions> websocket{};
  /// Every connection through this HTTP proxy's CONNECT tunnel (before TLS and
  /// WebSocket): the proxy is dialled, the target named to it. Empty: direct.
  std::optional<HttpProxy> proxy{};
  /// The ways out, in order of preference (Ethernet, then cellular): each
  /// attempt goes out one of them (sockkit::Uplink: an interface, a source
  /// address). A failed attempt fails over to the next at once, without the
  /// backoff wait; only when every uplink has failed does the backoff count a
  /// failure (and `reconnect.max_attempts` counts such full rounds). A lost
  /// connection starts again at the first, so the preferred uplink is used as
  /// soon as it works again. Empty: the routing table decides.
  ///
  ///     settings.uplinks = {{.device = "eth0"}, {.device = "wwan0"}};
  std::vector<Uplink> uplinks{};
  /// Seed for the jitter (0 = random per process; set it in tests).
  std::uint64_t jitter_seed = 0;
  /// Replaces the resolver with a function called on every attempt (on the
  /// loop's thread: it must not block). Tests and custom directories use it.
  Function<Result<std::vector<Endpoint>>()> resolve;
};

/// Counters of a ReconnectingClient.
struct ReconnectingStats {
  std::uint64_t attempts = 0;          ///< Connection attempts (rounds over the addresses).
  std::uint64_t connects = 0;          ///< Times a connection came up.
  std::uint64_t disconnects = 0;       ///< Times it went down.
  std::uint64_t dropped_messages = 0;  ///< Outbox overflow.
  std::uint64_t dropped_bytes = 0;     ///< Bytes of those messages.
  std::size_t outbox_bytes = 0;        ///< Waiting now.
  std::size_t outbox_messages = 0;     ///< Messages waiting now.
  std::size_t uplink =
      0;  ///< Index in ReconnectingOptions::uplinks of the current or last attempt.
  std::uint64_t uplink_switches =
      0;  ///< Times an attempt went out another uplink than the one before.
};

/// Callbacks of a ReconnectingClient. From ConnectionHandler: on_open is
/// "connected", on_close(c, why) is "disconnected" (with the reason as a
/// portable condition), on_connect_failed reports each address that failed,
/// and an attempt that failed without an address to blame (resolution, the
/// deadline) with an empty Endpoint.
class ReconnectingHandler : public ConnectionHandler {
 public:
  /// Attempt `attempt` (1, 2, …) starts connecting to `addresses`, those known
  /// when its first connect starts (the other family's may follow); empty when
  /// resolution failed.
  virtual void on_connecting(unsigned /*attempt*/, const std::vector<Endpoint>& /*addresses*/) {}
  /// The next attempt starts after `after`.
  virtual void on_retry_scheduled(std::chrono::milliseconds /*after*/, unsigned /*attempt*/) {}
  /// max_attempts used up (or stop()): no more attempts. `last` says why the last one failed.
  virtual void on_given_up(ErrorCode /*last*/) {}
  /// Time to send your ping on `c`.
  virtual void on_heartbeat(Connection& /*c*/) {}
  /// Outbox overflow dropped `messages` messages (`bytes` bytes) just now.
  virtual void on_outbox_drop(std::size_t /*messages*/, std::size_t /*bytes*/) {}

 protected:
  ~ReconnectingHandler() = default;
};

/// One persistent client connection on an EventLoop. Use it on the loop's thread.
class ReconnectingClient {
 public:
  /// A client that keeps one connection to `target` up; start() begins.
  ///
  ///     auto link = sockkit::ReconnectingClient::create(*loop, "cloud.example.com:7000", handler);
  ///     link->start();
  ///
  /// @param loop the loop it runs on (must outlive it).
  /// @param target "host:port" (a name is resolved again on every attempt; text
  ///        that is no target fails each attempt, reported to on_connect_failed).
  /// @param handler told of connections, data, heartbeats and losses.
  /// @param settings backoff, heartbeat, outbox, TLS, uplinks.
  /// @return the client, or failure::timers_exhausted (the loop's timers are
  ///         limited and too few are free), or the resolver's creation error.
  static Result<ReconnectingClient> create(EventLoop& loop, std::string target,
                                           ReconnectingHandler& handler,
                                           ReconnectingOptions settings = {});
  /// Stops (no callbacks) and closes the connection. Safe inside any of its own
  /// callbacks: the memory is freed once the callbacks unwind.
  ~ReconnectingClient();
  /// Takes over `other`, which is left empty (only destruction and assignment are valid).
  /// @param other the client taken over.
  ReconnectingClient(ReconnectingClient&& other) noexcept;
  /// Destroys what this held (as the destructor does), then takes over `other`.
  /// @param other the client taken over. @return this client.
  ReconnectingClient& operator=(ReconnectingClient&& other) noexcept;

  /// Starts connecting (the first attempt does not wait).
  void start() noexcept;
  /// Closes the connection and makes no more attempts (on_given_up with failure::stopped).
  void stop() noexcept;
  /// Sends now if connected and nothing is waiting, otherwise queues in the
  /// outbox (sent in order after reconnecting).
  /// @param message the bytes, copied when they wait.
  /// @return failure::outbox_full (errc::limit_exceeded) when the message, or an
  ///         older one by the drop policy, was dropped: never silent.
  Status send(std::span<const std::byte> message) noexcept;
  /// send() of text.
  /// @param message the text. @return as send() of bytes.
  Status send(std::string_view message) noexcept;
  /// Tells the heartbeat that the pong arrived (with any_data_answers = false).
  void heartbeat_answered() noexcept;
  /// @return the open connection, or null.
  Connection* connection() const noexcept;
  /// @return the counters since create().
  ReconnectingStats stats() const noexcept;

 private:
  struct Impl;
  explicit ReconnectingClient(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sockkit

#pragma GCC visibility pop
