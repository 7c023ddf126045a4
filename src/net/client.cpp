// SPDX-License-Identifier: MIT
// Client: asynchronous connect with a timeout, handing finished connections to a Group.
#include "sockkit/client.hpp"

#include <algorithm>
#include <new>
#include <optional>
#include <vector>

#include "net/dispose.hpp"
#include "net/group.hpp"
#include "resolve/target.hpp"
#include "sockkit/stack.hpp"

namespace sockkit {
namespace net {

class ClientImpl;

// One connect in flight: waits for writability, then asks SO_ERROR.
class PendingConnect final : public IoHandler {
 public:
  PendingConnect(ClientImpl& owner, TcpStream stream, const Endpoint& to,
                 const ConnectOptions& options)
      : owner_(owner), stream_(std::move(stream)), to_(to), options_(options) {}
  void on_io(unsigned events) noexcept override;
  void on_timeout() noexcept;
  TcpStream& stream() noexcept { return stream_; }
  TimerId timer = 0;
  /// Connecting by name: the addresses still to try, and when to give up.
  std::vector<Endpoint> fallbacks;
  std::optional<EventLoop::Clock::time_point> deadline;

 private:
  /// Reports the failure, or goes on with the next address.
  void failed(std::error_code why) noexcept;

  ClientImpl& owner_;
  TcpStream stream_;
  Endpoint to_;
  ConnectOptions options_;
};

class ClientImpl {
 public:
  ClientImpl(EventLoop& loop, ConnectionHandler& handler, const ConnectionLimits& limits)
      : group(loop, handler, limits) {}
  ~ClientImpl() { retire(); }

  /// Abandons pending connects and closes every connection; nothing calls back afterwards.
  void retire() noexcept {
    cancel_pending();
    group.retire();
    own_resolver_.reset();
  }
  bool busy() const noexcept { return group.busy(); }

  void cancel_pending() noexcept {
    for (auto* p : pending_)
      drop(p);
    pending_.clear();
    for (auto& [resolver, id] : lookups_)
      resolver->cancel(id);
    lookups_.clear();
  }

  Status connect_by_name(std::string_view host_port, std::chrono::milliseconds timeout,
                         ConnectOptions options) noexcept {
    auto target = resolve_detail::parse_target(host_port);
    if (!target) return target.error();
    if (target->numeric) return connect(*target->numeric, timeout, options);
    if (target->host.empty()) return failure::malformed_address;
    if (options.server_name.empty()) options.server_name = std::string(target->host);
    Resolver* resolver = options.resolver;
    if (resolver == nullptr) {
      if (!own_resolver_) {
        auto r = Resolver::create(group.loop);
        if (!r) return r.error();
        own_resolver_ = std::move(*r);
      }
      resolver = (own_resolver_ ? &*own_resolver_ : nullptr);
    }
    std::optional<EventLoop::Clock::time_point> deadline;
    if (timeout.count() >= 0) deadline = group.loop.now() + timeout;
    auto id = std::make_shared<Resolver::LookupId>(0);
    *id = resolver->lookup_endpoints(
        host_port, deadline ? timeout : std::chrono::minutes(10),
        [this, id, options, deadline](Result<std::vector<Endpoint>> found) {
          std::erase_if(lookups_, [&](const auto& l) { return l.second == *id; });
          if (!found) return group.handler.on_connect_failed(Endpoint{}, found.error());
          try_in_turn(std::move(*found), deadline, options);
        });
    lookups_.emplace_back(resolver, *id);
    return {};
  }

  /// Starts the first address that can start; the others wait as its fallbacks.
  void try_in_turn(std::vector<Endpoint> addresses,
                   std::optional<EventLoop::Clock::time_point> deadline,
                   const ConnectOptions& options) noexcept {
    std::error_code last = make_error_code(failure::no_address);
    Endpoint last_to;
    while (!addresses.empty()) {
      last_to = addresses.front();
      addresses.erase(addresses.begin());
      auto share = std::chrono::milliseconds(-1);
      if (deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - group.loop.now());
        if (left.count() <= 0) {
          last = make_error_code(failure::connect_timeout);
          break;
        }
        share =
            std::max(std::chrono::milliseconds(1), left / static_cast<long>(addresses.size() + 1));
      }
      if (auto st = connect(last_to, share, options); !st) {
        last = st.error();
        continue;
      }
      pending_.back()->fallbacks = std::move(addresses);
      pending_.back()->deadline = deadline;
      return;
    }
    group.handler.on_connect_failed(last_to, last);
  }

  Status connect(const Endpoint& to, std::chrono::milliseconds timeout,
                 const ConnectOptions& options) noexcept {
    auto socket = Socket::open(to.family(), SocketType::stream);
    if (!socket) return socket.error();
    const bool tcp = to.family() != Family::unix_domain;  // TCP's knobs only where TCP is
    if (!options.via.device.empty())
      if (auto st = socket->bind_to_device(options.via.device); !st) return st;
    if (options.via.source)
      if (auto st = socket->bind(*options.via.source); !st) return st;
    if (options.keepalive && tcp)  // before the handshake: see TcpStream::start_connect
      if (auto st = socket->set_keepalive(*options.keepalive); !st) return st;
    if (tcp && options.user_timeout.count() > 0 && stack_supports(StackFeature::user_timeout))
      if (auto st = socket->set_user_timeout(options.user_timeout); !st) return st;
    auto stream = TcpStream::start_connect(std::move(*socket), to);
    if (!stream) return stream.error();
    if (options.tls && options.tls->is_server())
      return make_error_code(failure::tls_configuration);  // a server context cannot connect
    auto* p = new (std::nothrow) PendingConnect(*this, std::move(*stream), to, options);
    if (p == nullptr) return std::make_error_code(std::errc::not_enough_memory);
    if (auto st = group.loop.watch(p->stream().native_handle(), io::writable, p); !st) {
      delete p;
      return st;
    }
    if (timeout.count() >= 0) {  // negative: no limit but the stack's own
      p->timer = group.loop.add_timer(timeout, [p] { p->on_timeout(); });
      if (p->timer == 0) {  // a loop with all its timers in use
        (void)group.loop.unwatch(p->stream().native_handle());
        delete p;
        return make_error_code(failure::timers_exhausted);
      }
    }
    pending_.push_back(p);
    return {};
  }

  // Ends a pending connect: stops watching it and forgets it. Returns its stream.
  TcpStream complete(PendingConnect* p) noexcept {
    (void)group.loop.unwatch(p->stream().native_handle());
    if (p->timer != 0) group.loop.cancel_timer(p->timer);
    pending_.erase(std::find(pending_.begin(), pending_.end(), p));
    TcpStream s = std::move(p->stream());
    delete p;
    return s;
  }

  std::size_t pending() const noexcept { return pending_.size() + lookups_.size(); }
  Group group;

 private:
  void drop(PendingConnect* p) noexcept {
    (void)group.loop.unwatch(p->stream().native_handle());
    if (p->timer != 0) group.loop.cancel_timer(p->timer);
    delete p;
  }
  std::vector<PendingConnect*> pending_;
  std::optional<Resolver> own_resolver_;
  std::vector<std::pair<Resolver*, Resolver::LookupId>> lookups_;
};

void PendingConnect::on_io(unsigned) noexcept {
  const auto why = stream_.finish_connect();
  if (!why && why.error() == errc::in_progress) return;  // spurious wake-up
  if (!why) return failed(why.error());
  ClientImpl& owner = owner_;
  const Endpoint to = to_;
  const ConnectOptions options = std::move(options_);
  TcpStream stream = owner.complete(this);  // `this` is gone from here on
  const net::TlsStart start{options.tls, options.server_name, to};
  if (auto c = owner.group.adopt(std::move(stream), options.tls ? &start : nullptr); !c)
    owner.group.handler.on_connect_failed(to, c.error());
}

void PendingConnect::on_timeout() noexcept {
  timer = 0;  // it fired: nothing to cancel
  failed(make_error_code(failure::connect_timeout));
}

void PendingConnect::failed(std::error_code why) noexcept {
  ClientImpl& owner = owner_;
  const Endpoint to = to_;
  std::vector<Endpoint> next = std::move(fallbacks);
  const auto until = deadline;
  const ConnectOptions options = std::move(options_);
  (void)owner.complete(this);  // closes the socket; `this` is gone from here on
  if (next.empty()) return owner.group.handler.on_connect_failed(to, why);
  owner.try_in_turn(std::move(next), until, options);
}

}  // namespace net

Client::Client(std::unique_ptr<net::ClientImpl> impl) noexcept : impl_(std::move(impl)) {}
Client::~Client() {
  if (!impl_) return;
  EventLoop& loop = impl_->group.loop;  // before impl_ is moved from
  net::dispose(loop, std::move(impl_));
}

Client::Client(Client&& other) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
  return net::move_assign(*this, std::move(other));
}

Result<Client> Client::create(EventLoop& loop, ConnectionHandler& handler,
                              const ConnectionLimits& limits) noexcept {
  std::unique_ptr<net::ClientImpl> impl(
      new (std::nothrow) net::ClientImpl(detail::home_loop(loop), handler, limits));
  if (!impl) return std::make_error_code(std::errc::not_enough_memory);
  if (auto st = impl->group.start(); !st) return st.error();
  return Client(std::move(impl));
}

Status Client::connect(const Endpoint& to, std::chrono::milliseconds timeout,
                       const ConnectOptions& options) noexcept {
  return impl_->connect(to, timeout, options);
}
Status Client::connect(std::string_view host_port, std::chrono::milliseconds timeout,
                       const ConnectOptions& options) noexcept {
  return impl_->connect_by_name(host_port, timeout, options);
}
std::size_t Client::pending() const noexcept {
  return impl_->pending();
}
void Client::cancel_pending() noexcept {
  impl_->cancel_pending();
}
Connection* Client::find(Connection::Id id) noexcept {
  return impl_->group.find(id);
}
std::size_t Client::connection_count() const noexcept {
  return impl_->group.open_count();
}
bool Client::shutdown(std::chrono::milliseconds grace) noexcept {
  return impl_->group.drain_and_close(grace);
}

}  // namespace sockkit
