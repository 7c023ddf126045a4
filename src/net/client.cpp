// Client: asynchronous connect with a timeout, handing finished connections to a Group.
#include "sockkit/client.hpp"

#include <algorithm>
#include <new>
#include <vector>

#include "net/dispose.hpp"
#include "net/group.hpp"
#include "sockkit/stack.hpp"

namespace sockkit {
namespace net {

class ClientImpl;

// One connect in flight: waits for writability, then asks SO_ERROR.
class PendingConnect final : public IoHandler {
 public:
  PendingConnect(ClientImpl& owner, TcpStream stream, const Endpoint& to,
                 const ConnectOptions& options)
      : owner_(owner),
        stream_(std::move(stream)),
        to_(to),
        tls_(options.tls),
        server_name_(options.server_name) {}
  void on_io(unsigned events) noexcept override;
  void on_timeout() noexcept;
  TcpStream& stream() noexcept { return stream_; }
  TimerId timer = 0;

 private:
  ClientImpl& owner_;
  TcpStream stream_;
  Endpoint to_;
  std::shared_ptr<TlsContext> tls_;
  std::string server_name_;
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
  }
  bool busy() const noexcept { return group.busy(); }

  void cancel_pending() noexcept {
    for (auto* p : pending_)
      drop(p);
    pending_.clear();
  }

  Status connect(const Endpoint& to, std::chrono::milliseconds timeout,
                 const ConnectOptions& options) noexcept {
    auto socket = Socket::open(to.family(), SocketType::stream);
    if (!socket) return socket.error();
    if (options.keepalive)  // before the handshake: see TcpStream::start_connect
      if (auto st = socket->set_keepalive(*options.keepalive); !st) return st;
    if (options.user_timeout.count() > 0 && stack_supports(StackFeature::user_timeout))
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
    if (timeout.count() >= 0)  // negative: no limit but the stack's own
      p->timer = group.loop.add_timer(timeout, [p] { p->on_timeout(); });
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

  std::size_t pending() const noexcept { return pending_.size(); }
  Group group;

 private:
  void drop(PendingConnect* p) noexcept {
    (void)group.loop.unwatch(p->stream().native_handle());
    if (p->timer != 0) group.loop.cancel_timer(p->timer);
    delete p;
  }
  std::vector<PendingConnect*> pending_;
};

void PendingConnect::on_io(unsigned) noexcept {
  const auto why = stream_.finish_connect();
  if (!why && why.error() == errc::in_progress) return;  // spurious wake-up
  ClientImpl& owner = owner_;
  const Endpoint to = to_;
  std::shared_ptr<TlsContext> tls = std::move(tls_);
  const std::string server_name = std::move(server_name_);
  TcpStream stream = owner.complete(this);  // `this` is gone from here on
  if (!why) return owner.group.handler.on_connect_failed(to, why.error());
  const net::TlsStart start{tls, server_name, to};
  if (auto c = owner.group.adopt(std::move(stream), tls ? &start : nullptr); !c)
    owner.group.handler.on_connect_failed(to, c.error());
}

void PendingConnect::on_timeout() noexcept {
  timer = 0;  // it fired: nothing to cancel
  ClientImpl& owner = owner_;
  const Endpoint to = to_;
  (void)owner.complete(this);  // closes the half-open socket
  owner.group.handler.on_connect_failed(to, make_error_code(failure::connect_timeout));
}

}  // namespace net

Client::Client(std::unique_ptr<net::ClientImpl> impl) noexcept : impl_(std::move(impl)) {}
Client::~Client() {
  if (!impl_) return;
  EventLoop& loop = impl_->group.loop;  // before impl_ is moved from
  net::dispose(loop, std::move(impl_));
}

Result<std::unique_ptr<Client>> Client::create(EventLoop& loop, ConnectionHandler& handler,
                                               const ConnectionLimits& limits) noexcept {
  std::unique_ptr<net::ClientImpl> impl(new (std::nothrow) net::ClientImpl(loop, handler, limits));
  if (!impl) return std::make_error_code(std::errc::not_enough_memory);
  std::unique_ptr<Client> client(new (std::nothrow) Client(std::move(impl)));
  if (!client) return std::make_error_code(std::errc::not_enough_memory);
  return client;
}

Status Client::connect(const Endpoint& to, std::chrono::milliseconds timeout,
                       const ConnectOptions& options) noexcept {
  return impl_->connect(to, timeout, options);
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
