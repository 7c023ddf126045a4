// SPDX-License-Identifier: MIT
// An HTTP proxy's CONNECT tunnel (RFC 9110 §9.3.6) under the other sessions:
// the request and the proxy's answer cross the socket first, then the inner
// session (plain, TLS, WebSocket) runs through the tunnel as if connected
// directly. The answer is read so that not one byte past its end is taken
// from the socket: whatever follows belongs to the inner session, which
// reads the socket itself (TLS does).
#include <new>

#include "sockkit/error.hpp"
#include "sockkit/event_loop.hpp"
#include "transport/transport.hpp"
#include "transport/websocket/codec.hpp"

namespace sockkit::transport {
namespace {

constexpr std::size_t kMaxAnswer = 8192;

class TunnelSession final : public Session {
 public:
  TunnelSession(std::unique_ptr<Session> raw, std::unique_ptr<Session> inner, std::string request)
      : raw_(std::move(raw)), inner_(std::move(inner)), request_(std::move(request)) {}

  Status handshake() noexcept override {
    if (!tunneled_) {
      if (auto st = open_tunnel(); !st) return st;
      tunneled_ = true;
      raw_.reset();
      request_ = {};
      answer_ = {};
    }
    return inner_->handshake();
  }
  Result<std::size_t> read(std::span<std::byte> into) noexcept override {
    return inner_->read(into);
  }
  Result<std::size_t> write(std::span<const std::byte> data) noexcept override {
    return inner_->write(data);
  }
  Status close_notify() noexcept override { return tunneled_ ? inner_->close_notify() : Status{}; }
  unsigned wants() const noexcept override { return tunneled_ ? inner_->wants() : wants_; }
  bool has_buffered_input() const noexcept override { return inner_->has_buffered_input(); }
  void release_buffers() noexcept override { inner_->release_buffers(); }
  bool is_tls() const noexcept override { return inner_->is_tls(); }
  TlsInfo info() const override { return inner_->info(); }
  failure timeout_reason() const noexcept override {
    return tunneled_ ? inner_->timeout_reason() : failure::upgrade_timeout;
  }

 private:
  Status open_tunnel() noexcept {
    while (sent_ < request_.size()) {
      auto n = raw_->write(std::as_bytes(std::span(request_)).subspan(sent_));
      if (!n) return blocked(n.error());
      sent_ += *n;
    }
    for (;;) {
      if (answer_.ends_with("\r\n\r\n")) return check_answer();
      if (answer_.size() >= kMaxAnswer) return make_error_code(failure::proxy_refused);
      // Never past "\r\n\r\n": as many bytes as it could still be away.
      std::size_t step = 4;
      if (answer_.ends_with("\r\n\r"))
        step = 1;
      else if (answer_.ends_with("\r\n"))
        step = 2;
      else if (answer_.ends_with("\r"))
        step = 3;
      std::array<std::byte, 4> bytes;
      auto n = raw_->read(std::span(bytes).first(step));
      if (!n) return blocked(n.error());
      if (*n == 0) return make_error_code(failure::proxy_refused);  // closed instead of answering
      answer_.append(reinterpret_cast<const char*>(bytes.data()), *n);
    }
  }

  // "HTTP/1.x 2xx ...": the tunnel is open; 407 (or 401, which some proxies —
  // tinyproxy — give for wrong credentials): credentials; anything else: refused.
  Status check_answer() const noexcept {
    const std::string_view status(answer_);
    if (status.size() < 12 || !status.starts_with("HTTP/1.") || status[8] != ' ')
      return make_error_code(failure::proxy_refused);
    const std::string_view code = status.substr(9, 3);
    if (code == "407" || code == "401") return make_error_code(failure::proxy_auth_failed);
    if (code[0] != '2' || code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9')
      return make_error_code(failure::proxy_refused);
    return {};
  }

  Status blocked(ErrorCode why) noexcept {
    if (why == errc::would_block) wants_ = raw_->wants();
    return why;
  }

  std::unique_ptr<Session> raw_;  // the socket itself, until the tunnel is open
  std::unique_ptr<Session> inner_;
  std::string request_, answer_;
  std::size_t sent_ = 0;
  unsigned wants_ = io::writable;
  bool tunneled_ = false;
};

}  // namespace

std::string connect_request(std::string_view target, std::string_view user,
                            std::string_view password) {
  std::string r = "CONNECT ";
  ((((r += target) += " HTTP/1.1\r\nHost: ") += target) += "\r\n");
  if (!user.empty()) {
    std::string credentials(user);
    (credentials += ':') += password;
    r += "Proxy-Authorization: Basic " +
         ws::base64(std::as_bytes(std::span(credentials.data(), credentials.size()))) + "\r\n";
  }
  r += "\r\n";
  return r;
}

Result<std::unique_ptr<Session>> make_tunnel_session(std::unique_ptr<Session> raw,
                                                     std::unique_ptr<Session> inner,
                                                     std::string request) noexcept {
  if (!raw || !inner) return make_error(std::errc::not_enough_memory);
  std::unique_ptr<Session> session(
      new (std::nothrow) TunnelSession(std::move(raw), std::move(inner), std::move(request)));
  if (!session) return make_error(std::errc::not_enough_memory);
  return session;
}

}  // namespace sockkit::transport
