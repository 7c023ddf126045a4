// SPDX-License-Identifier: MIT
// Client::connect by name: a Dialer per call, owned by the client, whose
// winner joins the client's connections (TLS bounded by the same deadline).
#include <memory>
#include <new>

#include "link/dialer.hpp"
#include "net/client_impl.hpp"
#include "resolve/target.hpp"
#include "transport/transport.hpp"

namespace sockkit {
namespace link {
namespace {

class ClientDial final : public net::PendingDial, public DialEvents {
 public:
  ClientDial(net::ClientImpl& client, const ConnectOptions& options, std::string tunnel_target)
      : client_(client),
        options_(options),
        tunnel_target_(std::move(tunnel_target)),
        dialer_(client.group.loop, *this) {}

  Status start(DialRequest request) noexcept { return dialer_.start(request); }
  void cancel() noexcept override { dialer_.cancel(); }
  bool finished() const noexcept override { return !dialer_.active(); }

  void dial_attempt_failed(const Endpoint& to, ErrorCode) override { last_tried_ = to; }
  void dial_connected(TcpStream&& stream, const Endpoint& to,
                      EventLoop::Clock::time_point deadline) override {
    client_.adopt_connected(std::move(stream), to, options_, deadline, tunnel_target_);
  }
  void dial_failed(ErrorCode why) override {
    client_.group.handler.on_connect_failed(last_tried_, why);
  }

 private:
  net::ClientImpl& client_;
  ConnectOptions options_;
  std::string tunnel_target_;  // through options_.proxy: what it connects on to
  Endpoint last_tried_;        // the last address that failed; empty if none was tried
  Dialer dialer_;
};

}  // namespace
}  // namespace link

namespace {

// Dials `dial_target` (the target, or the proxy) for `options`, which name the target.
Status start_dial(net::ClientImpl& client, std::string_view dial_target, std::string tunnel_target,
                  std::chrono::milliseconds timeout, const ConnectOptions& options) noexcept {
  Resolver* resolver = options.resolver;
  if (resolver == nullptr) {
    auto own = client.own_resolver();
    if (!own) return own.error();
    resolver = *own;
  }
  std::unique_ptr<link::ClientDial> dial(
      new (std::nothrow) link::ClientDial(client, options, std::move(tunnel_target)));
  if (!dial) return make_error(std::errc::not_enough_memory);
  link::DialRequest request{.target = std::string(dial_target),
                            .timeout = timeout,
                            .options = options,
                            .resolver = resolver};
  if (auto st = dial->start(std::move(request)); !st) return st;
  client.add_dial(std::move(dial));
  return {};
}

// The target's name for TLS and WebSocket, when it is reached by name or through a proxy.
ConnectOptions named(const ConnectOptions& options, std::string_view host,
                     std::string_view host_port) {
  ConnectOptions with_name = options;
  if (with_name.server_name.empty()) with_name.server_name = std::string(host);
  if (with_name.websocket && with_name.websocket->host.empty())
    with_name.websocket->host = transport::websocket_host(host_port, !!options.tls);
  return with_name;
}

}  // namespace

Status Client::connect(std::string_view host_port, std::chrono::milliseconds timeout,
                       const ConnectOptions& options) noexcept {
  auto target = resolve_detail::parse_target(host_port);
  if (!target) return target.error();
  if (options.websocket)
    if (auto st = check_websocket_options(*options.websocket); !st) return st;
  if (options.proxy) {
    if (auto st = check_http_proxy(*options.proxy); !st) return st;
    if (target->numeric)  // the proxy may still be a name: dialled like one
      return start_dial(*impl_, options.proxy->address, std::string(host_port), timeout, options);
    if (target->host.empty()) return failure::malformed_address;
    return start_dial(*impl_, options.proxy->address, std::string(host_port), timeout,
                      named(options, target->host, host_port));
  }
  if (target->numeric) return impl_->connect(*target->numeric, timeout, options);
  if (target->host.empty()) return failure::malformed_address;
  return start_dial(*impl_, host_port, {}, timeout, named(options, target->host, host_port));
}

}  // namespace sockkit
