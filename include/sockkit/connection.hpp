// SPDX-License-Identifier: MIT
/// @file
/// Buffered, non-blocking TCP connections on an EventLoop.
///
/// A Connection belongs to a Server (accepted) or a Client (connected). Its
/// handler sees data, backpressure and the end of the connection:
///
///       struct Echo : sockkit::ConnectionHandler {
///         sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
///                                              std::span<const std::byte> data) override {
///           if (auto st = c.send(data); !st) return st.error();   // queue full: close
///           return data.size();                                    // bytes consumed
///         }
///         void on_high_watermark(sockkit::Connection& c) override { c.pause_reading(); }
///         void on_drain(sockkit::Connection& c) override { c.resume_reading(); }
///       };
///
/// Bytes on_data does not consume are kept and offered again with more data
/// (framing), up to ConnectionOptions::max_pending_read. Writes that do not fit
/// the socket are queued, up to ConnectionOptions::max_write_queue: past it,
/// send() fails with errc::limit_exceeded and nothing queued is lost. Buffers
/// exist only while data is pending; an idle connection holds none.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string_view>
#include <utility>

#include "sockkit/endpoint.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/tls.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

class Connection;

/// Per-group limits; every one is a bound, and passing it is a clear error.
struct ConnectionOptions {
  std::size_t max_write_queue = 4 << 20;   ///< send() past this: errc::limit_exceeded.
  std::size_t high_watermark = 1 << 20;    ///< on_high_watermark when the queue reaches it.
  std::size_t low_watermark = 256 << 10;   ///< on_drain when it falls back to this.
  std::size_t max_pending_read = 1 << 20;  ///< Unconsumed input past this: close, frame too large.
  std::uint32_t read_chunk = 64 << 10;     ///< Bytes read per receive call.
  /// Fairness: bytes one connection may read per loop iteration before others
  /// and timers get their turn (at least one read happens).
  std::size_t max_read_per_wakeup = 256 << 10;
  /// Free buffer chunks kept for reuse; past this, released chunks go back to
  /// the system, so a burst's memory returns when the burst ends.
  std::size_t buffer_reserve = 16;
  std::uint32_t buffer_chunk = 16 << 10;      ///< Pooled buffer chunk size.
  std::chrono::milliseconds idle_timeout{0};  ///< Nothing received this long: close (0 = never).
  bool no_delay = true;  ///< TCP_NODELAY on every connection: small messages leave at once.
};

/// What happens on a connection. Callbacks run on the loop thread.
class ConnectionHandler {
 public:
  /// A connection is ready (accepted, or connected by a Client).
  virtual void on_open(Connection&) {}
  /// New input.
  /// @param c the connection. @param data starts with the bytes left unconsumed last time.
  /// @return how many bytes were consumed, or an error to close the connection with it.
  virtual Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) = 0;
  /// The peer half-closed (EOF). Default: finish sending, then close our side too.
  /// @param c the connection.
  virtual void on_peer_closed(Connection& c);  // inline below: see the note there
  /// The write queue reached the high watermark: stop producing.
  virtual void on_high_watermark(Connection&) {}
  /// The write queue fell back to the low watermark after a high one: produce again.
  virtual void on_drain(Connection&) {}
  /// The connection is gone; `why` is zero for an orderly close. The Connection
  /// must not be used after this returns.
  virtual void on_close(Connection&, ErrorCode /*why*/) {}
  /// A Client connect failed (refused, timed out, ...).
  virtual void on_connect_failed(const Endpoint& /*to*/, ErrorCode /*why*/) {}

  virtual ~ConnectionHandler() = default;
};

/// One buffered connection. Obtained only through handler callbacks.
class Connection {
 public:
  /// Queues or writes `data`.
  /// @param data the bytes, copied when they cannot all leave now.
  /// @return errc::limit_exceeded past max_write_queue (nothing of `data` is
  ///         queued then), errc::not_connected after close or shutdown_write.
  Status send(std::span<const std::byte> data) noexcept;
  /// send() of text.
  /// @param data the text. @return as send() of bytes.
  Status send(std::string_view data) noexcept;
  /// Gather send: the parts in order, as one message. With nothing queued on a
  /// plain connection they leave in one system call (a header and its payload in
  /// one segment with TCP_NODELAY); what does not fit is queued. On TLS the
  /// parts go through the session one by one.
  ///
  ///     std::span<const std::byte> parts[] = {header, payload};
  ///     c.send(parts);
  ///
  /// @param parts the buffers, in order. @return as send().
  Status send(std::span<const std::span<const std::byte>> parts) noexcept;
  /// @return the bytes waiting to be written.
  std::size_t queued_bytes() const noexcept;
  /// Half-close once everything queued is written.
  void shutdown_write() noexcept;
  /// Closes now; queued data is discarded. on_close follows with `why`.
  /// @param why the reason on_close is given; zero for an orderly close.
  void close(ErrorCode why = {}) noexcept;
  /// Closes once the queue is written (bounded by the group's shutdown deadline).
  void close_after_flush() noexcept;
  /// Stops reading (backpressure towards the peer: its window closes).
  void pause_reading() noexcept;
  /// Reads again after pause_reading().
  void resume_reading() noexcept;
  /// @return false once closed (the object stays valid until on_close returns).
  bool is_open() const noexcept;

  /// @return the descriptor, for options; do not read, write or close it.
  NativeHandle native_handle() const noexcept;
  /// @return the peer's address (the stack is asked), or its error.
  Result<Endpoint> peer() const noexcept;
  /// @return this end's address (the stack is asked): which uplink's address a
  ///         client went out from.
  Result<Endpoint> local() const noexcept;
  /// What the TLS handshake agreed on.
  /// @return version, cipher, ALPN protocol, peer certificate; errc::not_supported
  ///         on a plain connection.
  ///
  ///     if (auto tls = c.tls_info())
  ///       std::printf("%s %s\n", tls->version.c_str(), tls->cipher.c_str());
  Result<TlsInfo> tls_info() const;

  /// Names one connection for the life of its Server or Client: never 0, never
  /// given to another connection. Server::find / Client::find turn it back
  /// into the connection while it is open (from another thread: post() first).
  using Id = std::uint64_t;
  /// @return this connection's id; once it closes, no other connection gets it.
  Id id() const noexcept;
  /// Creates this connection's own state, `State{args...}`, replacing any it
  /// had; it is destroyed after on_close returns. Null when out of memory.
  /// Per-connection state without a map from ids and without new/delete:
  ///
  ///     struct Session { std::string name; int lines = 0; };
  ///     void on_open(Connection& c) override { c.emplace_state<Session>(); }
  ///     Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
  ///       if (auto* s = c.state<Session>()) ++s->lines;
  ///       return d.size();
  ///     }
  ///
  /// @param args passed to State's constructor.
  /// @return the new state, or null without memory.
  template <class State, class... Args>
  State* emplace_state(Args&&... args);
  /// @return the state emplace_state<State>() created; null if there is none
  ///         or it is of another type.
  template <class State>
  State* state() const noexcept;
  /// Destroys the state now (it would be at close otherwise).
  void reset_state() noexcept;

  Connection(const Connection&) = delete;             ///< A connection is not a value.
  Connection& operator=(const Connection&) = delete;  ///< A connection is not a value.

 protected:
  /// Connections live in their group's slab, as the library's own derived type.
  Connection() noexcept = default;
  /// Destroyed with their group.
  ~Connection() = default;

 private:
  struct StateHolder;
  template <class State>
  struct StateOf;
  StateHolder* state_ = nullptr;  // the user's per-connection state
};

/// @cond internal
// The state block: a header saying which type follows and how to destroy it.
// The type is named by the address of a variable per type (no RTTI needed).
struct Connection::StateHolder {
  const void* type;
  void (*destroy)(StateHolder*) noexcept;
};

template <class State>
struct Connection::StateOf final : StateHolder {
  static constexpr char tag = 0;
  template <class... Args>
  explicit StateOf(Args&&... args)
      : StateHolder{&tag, [](StateHolder* h) noexcept { delete static_cast<StateOf*>(h); }},
        value(std::forward<Args>(args)...) {}
  State value;
};
/// @endcond

template <class State, class... Args>
State* Connection::emplace_state(Args&&... args) {
  reset_state();
  auto* holder = new (std::nothrow) StateOf<State>(std::forward<Args>(args)...);
  if (holder == nullptr) return nullptr;
  state_ = holder;
  return &holder->value;
}

template <class State>
State* Connection::state() const noexcept {
  if (state_ == nullptr || state_->type != &StateOf<State>::tag) return nullptr;
  return &static_cast<StateOf<State>*>(state_)->value;
}

inline void Connection::reset_state() noexcept {
  if (state_ == nullptr) return;
  StateHolder* holder = state_;
  state_ = nullptr;  // a destructor that looks at the connection sees none
  holder->destroy(holder);
}

// Every virtual function of ConnectionHandler is inline, so no key function ties
// its typeinfo to the library: code built with RTTI can derive handlers from a
// library built with -fno-rtti (the no-exceptions preset) and still link.
inline void ConnectionHandler::on_peer_closed(Connection& c) {
  c.shutdown_write();
}

}  // namespace sockkit

#pragma GCC visibility pop
