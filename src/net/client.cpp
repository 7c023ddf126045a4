// SPDX-License-Identifier: MIT
// Client: asynchronous connect with a timeout, handing finished connections to
// a Group. Dials by name are the link layer's (link/client_dial.cpp).
#include "sockkit/client.hpp"

#include <algorithm>
#include <new>

#include "deadline.hpp"
#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"
#include "net/client_impl.hpp"
#include "sockkit/stack.hpp"

namespace sockkit {
namespace net {

// One connect in flight: waits for writability, then asks SO_ERROR.
class PendingConnect final : public IoHandler {
 public:
  PendingConnect(ClientImpl& owner, TcpStream stream, const Endpoint& to,
                 const ConnectOptions& options, EventLoop::Clock::time_point deadline,
                 std::string tunnel_target)
      : owner_(owner),
        stream_(std::move(stream)),
        to_(to),
        options_(options),
        deadline_(deadline),
        tunnel_target_(std::move(tunnel_target)) {}
  void on_io(unsigned events) noexcept override;
  void on_timeout() noexcept;
  TcpStream& stream() noexcept { return stream_; }
  Timer timer;  // the connect timeout; cancelled with the connect

 private:
  void failed(ErrorCode why) noexcept;

  ClientImpl& owner_;
  TcpStream stream_;
  Endpoint to_;
  ConnectOptions options_;
  EventLoop::Clock::time_point deadline_;
  std::string tunnel_target_;  // through options_.proxy: where it connects on to
};

Result<TcpStream> start_connect(const Endpoint& to, const ConnectOptions& options) noexcept {
  if (options.tls && options.tls->is_server())
    return make_error_code(failure::tls_wrong_role);  // a server context cannot connect
  if (options.websocket)
    if (auto st = check_websocket_options(*options.websocket); !st) return st.error();
  auto socket = Socket::open(to.family(), SocketType::stream);
  if (!socket) return socket.error();
  const bool tcp = to.family() != Family::unix_domain;  // TCP's knobs only where TCP is
  if (!options.via.device.empty())
    if (auto st = socket->bind_to_device(options.via.device); !st) return st.error();
  if (options.via.source)
    if (auto st = socket->bind(*options.via.source); !st) return st.error();
  if (options.keepalive && tcp)  // before the handshake: see TcpStream::start_connect
    if (auto st = socket->set_keepalive(*options.keepalive); !st) return st.error();
  if (tcp && options.user_timeout.count() > 0 && stack_supports(StackFeature::user_timeout))
    if (auto st = socket->set_user_timeout(options.user_timeout); !st) return st.error();
  return TcpStream::start_connect(std::move(*socket), to);
}

void ClientImpl::retire() noexcept {
  cancel_pending();
  group.retire();
  own_resolver_.reset();
}

void ClientImpl::cancel_pending() noexcept {
  for (auto* p : pending_)
    drop(p);
  pending_.clear();
  release_dials(true);
}

Status ClientImpl::connect(const Endpoint& to, std::chrono::milliseconds timeout,
                           const ConnectOptions& options, std::string tunnel_target) noexcept {
  auto stream = start_connect(to, options);
  if (!stream) return stream.error();
  const auto deadline = time::deadline_after(EventLoop::Clock::now(), timeout);
  auto* p = new (std::nothrow)
      PendingConnect(*this, std::move(*stream), to, options, deadline, std::move(tunnel_target));
  if (p == nullptr) return make_error(std::errc::not_enough_memory);
  if (auto st = group.loop.watch(p->stream().native_handle(), io::writable, p); !st) {
    delete p;
    return st;
  }
  if (timeout.count() >= 0) {  // negative: no limit but the stack's own
    if (!p->timer.arm(group.loop, timeout, [p] { p->on_timeout(); })) {  // all timers in use
      (void)group.loop.unwatch(p->stream().native_handle());
      delete p;
      return make_error_code(failure::timers_exhausted);
    }
  }
  pending_.push_back(p);
  return {};
}

void ClientImpl::adopt_connected(TcpStream&& stream, const Endpoint& to,
                                 const ConnectOptions& options,
                                 EventLoop::Clock::time_point deadline,
                                 std::string_view tunnel_target) noexcept {
  // Without the web transports built (connect refused them), none of this is linked.
  const WebSocketOptions* ws =
      SOCKKIT_WEBSOCKET && options.websocket ? &*options.websocket : nullptr;
  const bool tunnel = SOCKKIT_WEBSOCKET && !tunnel_target.empty();
  std::string host;
  if (ws != nullptr && ws->host.empty())
    host = transport::websocket_host(tunnel ? tunnel_target : to.to_string(), !!options.tls);
  const SessionStart start{
      .context = options.tls,
      .server_name = options.server_name,
      .web_layers = ws != nullptr || tunnel ? &transport::add_web_layers : nullptr,
      .web = {.websocket = ws,
              .websocket_host = host,
              .proxy = tunnel ? &*options.proxy : nullptr,
              .tunnel_target = tunnel_target},
      .connect_target = to,
      .deadline = deadline};
  const bool layered = options.tls || start.web_layers != nullptr;
  if (auto c = group.adopt(std::move(stream), layered ? &start : nullptr); !c)
    group.handler.on_connect_failed(to, c.error());
}

void ClientImpl::add_dial(std::unique_ptr<PendingDial> dial) {
  release_dials(false);
  dials_.push_back(std::move(dial));
}

Result<Resolver*> ClientImpl::own_resolver() noexcept {
  if (!own_resolver_) {
    auto r = Resolver::create(group.loop);
    if (!r) return r.error();
    own_resolver_ = std::move(*r);
  }
  return &*own_resolver_;
}

void ClientImpl::release_dials(bool all) noexcept {
  // A dial may be on the stack (this runs from its callbacks): it is cancelled
  // now, and its memory goes once no callback is running.
  for (auto& d : dials_) {
    if (!all && !d->finished()) continue;
    d->cancel();
    group.loop.defer([raw = d.release()] { delete raw; });
  }
  std::erase(dials_, nullptr);
}

TcpStream ClientImpl::complete(PendingConnect* p) noexcept {
  (void)group.loop.unwatch(p->stream().native_handle());
  pending_.erase(std::find(pending_.begin(), pending_.end(), p));
  TcpStream s = std::move(p->stream());
  delete p;
  return s;
}

std::size_t ClientImpl::pending() const noexcept {
  return pending_.size() +
         static_cast<std::size_t>(
             std::count_if(dials_.begin(), dials_.end(), [](auto& d) { return !d->finished(); }));
}

void ClientImpl::drop(PendingConnect* p) noexcept {
  (void)group.loop.unwatch(p->stream().native_handle());
  delete p;
}

void PendingConnect::on_io(unsigned) noexcept {
  const auto why = stream_.finish_connect();
  if (!why && why.error() == errc::in_progress) return;  // spurious wake-up
  if (!why) return failed(why.error());
  ClientImpl& owner = owner_;
  const Endpoint to = to_;
  const ConnectOptions options = std::move(options_);
  const auto deadline = deadline_;
  const std::string tunnel_target = std::move(tunnel_target_);
  TcpStream stream = owner.complete(this);  // `this` is gone from here on
  owner.adopt_connected(std::move(stream), to, options, deadline, tunnel_target);
}

void PendingConnect::on_timeout() noexcept {
  failed(make_error_code(failure::connect_timeout));
}

void PendingConnect::failed(ErrorCode why) noexcept {
  ClientImpl& owner = owner_;
  const Endpoint to = to_;
  (void)owner.complete(this);  // closes the socket; `this` is gone from here on
  owner.group.handler.on_connect_failed(to, why);
}

}  // namespace net

Client::Client(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Client::~Client() {
  if (!impl_) return;
  EventLoop& loop = impl_->group.loop;  // before impl_ is moved from
  loop::dispose(loop, std::move(impl_));
}

Client::Client(Client&& other) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
  return loop::move_assign(*this, std::move(other));
}

Result<Client> Client::create(EventLoop& loop, ConnectionHandler& handler,
                              const ConnectionOptions& limits) noexcept {
  std::unique_ptr<Impl> impl(new (std::nothrow)
                                 Impl(loop::LoopAccess::home(loop), handler, limits));
  if (!impl) return make_error(std::errc::not_enough_memory);
  if (auto st = impl->group.start(); !st) return st.error();
  return Client(std::move(impl));
}

Status Client::connect(const Endpoint& to, std::chrono::milliseconds timeout,
                       const ConnectOptions& options) noexcept {
  if (!options.proxy) return impl_->connect(to, timeout, options);
  // To an address, through a proxy at an address: nothing is resolved (and
  // the dialer is not linked); by name, Client::connect(host_port) dials it.
  if (!SOCKKIT_WEBSOCKET) return make_error_code(failure::backend_unavailable);
  auto proxy = Endpoint::parse(options.proxy->address);
  if (!proxy) return proxy.error();
  if (proxy->family() == Family::unix_domain) return make_error_code(failure::wrong_family);
  if (auto st = transport::check_proxy_credentials(*options.proxy); !st) return st;
  return impl_->connect(*proxy, timeout, options, to.to_string());
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
void Client::shutdown(std::chrono::milliseconds grace, Function<void(bool)> on_done) noexcept {
  impl_->group.drain(grace, std::move(on_done));
}
bool Client::shutdown(std::chrono::milliseconds grace) noexcept {
  return impl_->group.drain_and_close(grace);
}

}  // namespace sockkit
