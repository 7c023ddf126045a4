// SPDX-License-Identifier: MIT
// Server: an accept loop with a connection limit and EMFILE handling.
#include "sockkit/server.hpp"

#include <new>

#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"
#include "net/group.hpp"

namespace sockkit {
namespace net {

class ServerImpl : public IoHandler {
 public:
  ServerImpl(EventLoop& loop, TcpListener listener, ConnectionHandler& handler,
             const ServerOptions& options)
      : options_(options), listener_(std::move(listener)), group_(loop, handler, options.limits) {}

  ~ServerImpl() { retire(); }

  /// Stops accepting and closes every connection; nothing calls back afterwards.
  void retire() noexcept {
    stop_accepting();
    retry_timer_.cancel();
    group_.retire();
  }
  EventLoop& loop() noexcept { return group_.loop; }

  Status begin() noexcept {
    auto kept = group_.loop.reserve_timers(1);  // the accept retry
    if (!kept) return kept.error();
    timers_ = std::move(*kept);
    if (auto st = group_.start(); !st) return st;
    if (auto st = listener_.set_nonblocking(true); !st) return st;
    if (auto st = group_.loop.watch(listener_.native_handle(), io::readable, this); !st) return st;
    loop_accepts_ = transport::lend_accepts(group_.loop, listener_.native_handle());
    return {};
  }

  // The next connection: from the listener, or from the loop's completion
  // backend, which accepts ahead (the same errors either way).
  Result<TcpStream> next_accepted() noexcept {
    if (!transport::kLends || !loop_accepts_) {
      auto accepted = listener_.accept();
      if (!accepted) return accepted.error();
      return std::move(accepted->stream);
    }
    auto h = transport::lent_accept(group_.loop, listener_.native_handle());
    if (!h) return h.error();
    return TcpStream::adopt(*h, listener_.family());
  }

  void on_io(unsigned) noexcept override {
    // Bounded batch: a flood of connections cannot starve established ones.
    // Every way out short of would-block leaves the backlog non-empty, which
    // an edge-triggered backend does not report again: requeue then.
    int failures_in_row = 0;
    for (int i = 0; i < kAcceptBatch; ++i) {
      if (!listener_.is_open()) return;  // a handler stopped or destroyed us
      auto accepted = next_accepted();
      if (!accepted) {
        const auto why = accepted.error();
        if (why == errc::would_block) return;
        if (why == errc::connection_aborted) continue;  // the peer gave up before accept
        if (why == errc::too_many_sockets || why == errc::no_buffer_space) {
          pause_accepting();  // the listener would stay readable: do not spin on it
          return;
        }
        // Usually this connection's own failure (a pending network error):
        // go on with the next. Many in a row: the listener itself is broken,
        // so back off instead of spinning on it.
        ++stats_.accept_errors;
        if (++failures_in_row < kMaxFailuresInRow) continue;
        pause_accepting();
        return;
      }
      failures_in_row = 0;
      if (group_.open_count() >= options_.max_connections) {
        // Peers that start a TLS handshake and go quiet must not shut real
        // clients out until their handshake deadline: the oldest of them
        // gives way. Established connections are never displaced.
        Connection* stale = options_.tls ? group_.oldest_handshaking() : nullptr;
        if (stale == nullptr) {
          ++stats_.rejected_over_limit;  // closed at once, never left queued
          continue;
        }
        ++stats_.tls_handshakes_displaced;
        stale->close(make_error_code(failure::limit_reached));
        if (!listener_.is_open()) return;
      }
      const net::SessionStart start{.context = options_.tls};
      auto c = group_.adopt(std::move(*accepted), options_.tls ? &start : nullptr);
      if (!c) {
        if (c.error() == make_error_code(failure::timers_exhausted))
          ++stats_.rejected_no_timer;
        else
          ++stats_.rejected_descriptor_limit;
        continue;
      }
      ++stats_.accepted;
    }
    if (listener_.is_open() && group_.loop.edge_triggered())
      group_.loop.requeue(listener_.native_handle(), io::readable);
  }

  void pause_accepting() noexcept {
    ++stats_.accept_pauses;
    (void)group_.loop.rewatch(listener_.native_handle(), 0);
    retry_timer_.arm(timers_, options_.accept_retry, [this] {
      if (listener_.is_open()) (void)group_.loop.rewatch(listener_.native_handle(), io::readable);
    });
  }

  void stop_accepting() noexcept {
    if (!listener_.is_open()) return;
    (void)group_.loop.unwatch(listener_.native_handle());
    (void)listener_.close();
  }

  ServerStats stats() const noexcept {
    ServerStats s = stats_;
    s.open = group_.open_count();
    s.idle_closed = group_.idle_closed();
    s.tls_handshake_failures = group_.handshake_failures();
    s.tls_handshake_timeouts = group_.handshake_timeouts();
    return s;
  }

  Endpoint local() const noexcept { return endpoint_; }
  void set_local(Endpoint e) noexcept { endpoint_ = e; }
  Group& group() noexcept { return group_; }

 private:
  static constexpr int kAcceptBatch = 64;
  static constexpr int kMaxFailuresInRow = 8;
  ServerOptions options_;
  TcpListener listener_;
  Group group_;
  ServerStats stats_{};
  Endpoint endpoint_;
  TimerReservation timers_;
  Timer retry_timer_;
  bool loop_accepts_ = false;
};

}  // namespace net

// The facade's pimpl is the connection layer's server.
struct Server::Impl final : net::ServerImpl {
  using ServerImpl::ServerImpl;
};

Server::Server(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Server::~Server() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop();  // before impl_ is moved from
  loop::dispose(loop, std::move(impl_));
}

Server::Server(Server&& other) noexcept = default;

Server& Server::operator=(Server&& other) noexcept {
  return loop::move_assign(*this, std::move(other));
}

Result<Server> Server::start(EventLoop& loop, const Endpoint& at, ConnectionHandler& handler,
                             const ServerOptions& options) noexcept {
  if (options.max_connections == 0) return make_error(std::errc::invalid_argument);
  if (options.tls && !options.tls->is_server())
    return make_error_code(failure::tls_wrong_role);  // a client context cannot accept
  auto listener = TcpListener::bind(at, options.listen);
  if (!listener) return listener.error();
  auto local = listener->local_endpoint();
  if (!local) return local.error();
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl(loop::LoopAccess::home(loop),
                                                     std::move(*listener), handler, options));
  if (!impl) return make_error(std::errc::not_enough_memory);
  impl->set_local(*local);
  if (auto st = impl->begin(); !st) return st.error();
  return Server(std::move(impl));
}

Endpoint Server::local_endpoint() const noexcept {
  return impl_->local();
}
ServerStats Server::stats() const noexcept {
  return impl_->stats();
}
Connection* Server::find(Connection::Id id) noexcept {
  return impl_->group().find(id);
}

void Server::shutdown(std::chrono::milliseconds grace, Function<void(bool)> on_done) noexcept {
  impl_->stop_accepting();
  impl_->group().drain(grace, std::move(on_done));
}
bool Server::shutdown(std::chrono::milliseconds grace) noexcept {
  impl_->stop_accepting();
  return impl_->group().drain_and_close(grace);
}

}  // namespace sockkit
