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
  ClientDial(net::ClientImpl& client, const ConnectOptions& options)
      : client_(client), options_(options), dialer_(client.group.loop, *this) {}

  Status start(DialRequest request) noexcept { return dialer_.start(request); }
  void cancel() noexcept override { dialer_.cancel(); }
  bool finished() const noexcept override { return !dialer_.active(); }

  void dial_attempt_failed(const Endpoint& to, std::error_code) override { last_tried_ = to; }
  void dial_connected(TcpStream&& stream, const Endpoint& to,
                      EventLoop::Clock::time_point deadline) override {
    client_.adopt_connected(std::move(stream), to, options_, deadline);
  }
  void dial_failed(std::error_code why) override {
    client_.group.handler.on_connect_failed(last_tried_, why);
  }

 private:
  net::ClientImpl& client_;
  ConnectOptions options_;
  Endpoint last_tried_;  // the last address that failed; empty if none was tried
  Dialer dialer_;
};

}  // namespace
}  // namespace link

Status Client::connect(std::string_view host_port, std::chrono::milliseconds timeout,
                       const ConnectOptions& options) noexcept {
  auto target = resolve_detail::parse_target(host_port);
  if (!target) return target.error();
  if (target->numeric) return impl_->connect(*target->numeric, timeout, options);
  if (options.websocket)
    if (auto st = check_websocket_options(*options.websocket); !st) return st;
  if (target->host.empty()) return failure::malformed_address;
  ConnectOptions with_name = options;
  if (with_name.server_name.empty()) with_name.server_name = std::string(target->host);
  if (with_name.websocket && with_name.websocket->host.empty())
    with_name.websocket->host = transport::websocket_host(host_port, !!options.tls);
  Resolver* resolver = options.resolver;
  if (resolver == nullptr) {
    auto own = impl_->own_resolver();
    if (!own) return own.error();
    resolver = *own;
  }
  std::unique_ptr<link::ClientDial> dial(new (std::nothrow) link::ClientDial(*impl_, with_name));
  if (!dial) return std::make_error_code(std::errc::not_enough_memory);
  link::DialRequest request{.target = std::string(host_port),
                            .timeout = timeout,
                            .options = with_name,
                            .resolver = resolver};
  if (auto st = dial->start(std::move(request)); !st) return st;
  impl_->add_dial(std::move(dial));
  return {};
}

}  // namespace sockkit
