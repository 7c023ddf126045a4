// SPDX-License-Identifier: MIT
// TlsStream: a TLS session driven by waiting on its socket instead of a loop.
// The socket is non-blocking underneath (the TLS libraries' I/O callbacks
// expect would-block); each call waits for what the session asks for
// (wants()) until its own deadline.
#include "sockkit/tls_stream.hpp"

#include <new>
#include <string>

#include "deadline.hpp"
#include "resolve/target.hpp"
#include "sockkit/clock.hpp"
#include "sys/sys.hpp"
#include "transport/transport.hpp"

namespace sockkit {
namespace {
using Clock = LoopClock;
using std::chrono::milliseconds;

// time_point::max() for a negative timeout: no deadline.
Clock::time_point deadline_in(milliseconds timeout) {
  if (timeout.count() < 0) return Clock::time_point::max();
  return time::deadline_after(Clock::now(), timeout);
}

// Waits until the session can go on, or `deadline`; `timed_out` names the failure.
Status wait_for(NativeHandle socket, unsigned wants, Clock::time_point deadline,
                failure timed_out) noexcept {
  int ms = -1;
  if (deadline != Clock::time_point::max()) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return timed_out;
    ms = left > INT32_MAX ? INT32_MAX : static_cast<int>(left);
  }
  auto ready = sys::wait(socket, wants == 0 ? sys::kReadable : wants, ms);
  if (!ready) return ready.error();
  if (*ready == 0) return timed_out;
  return {};
}

}  // namespace

struct TlsStream::Impl {
  TcpStream stream;
  std::shared_ptr<TlsContext> context;  // the session's engine lives in it
  std::unique_ptr<transport::TlsSession> session;
};

TlsStream::TlsStream() noexcept = default;
TlsStream::~TlsStream() = default;
TlsStream::TlsStream(TlsStream&& other) noexcept = default;
TlsStream& TlsStream::operator=(TlsStream&& other) noexcept = default;
TlsStream::TlsStream(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

Result<TlsStream> TlsStream::connect(std::string_view host_port,
                                     std::shared_ptr<TlsContext> context,
                                     std::chrono::milliseconds timeout,
                                     std::string_view server_name) {
  if (!context) return make_error(std::errc::invalid_argument);
  auto target = resolve_detail::parse_target(host_port);
  if (!target) return target.error();
  std::string name(server_name);
  if (name.empty() && context->options().server_name.empty())
    name = target->numeric ? target->numeric->address_string() : std::string(target->host);
  const auto deadline = deadline_in(timeout);
  auto stream = TcpStream::connect(host_port, timeout);
  if (!stream) return stream.error();
  const auto left =
      deadline == Clock::time_point::max()
          ? milliseconds(-1)
          : std::max(milliseconds(0), std::chrono::ceil<milliseconds>(deadline - Clock::now()));
  return handshake(std::move(*stream), std::move(context), left, name);
}

Result<TlsStream> TlsStream::handshake(TcpStream&& stream, std::shared_ptr<TlsContext> context,
                                       std::chrono::milliseconds timeout,
                                       std::string_view server_name) noexcept {
  if (!context) return make_error(std::errc::invalid_argument);
  if (!stream.is_open()) return failure::closed_socket;
  const auto deadline = deadline_in(timeout);
  if (auto st = stream.set_nonblocking(true); !st) return st.error();
  (void)stream.set_no_delay(true);  // handshake flights and small records leave at once
  auto session = transport::engine_of(*context).open(stream.native_handle(), server_name);
  if (!session) return session.error();
  for (;;) {
    auto st = (*session)->handshake();
    if (st) break;
    if (st.error() != errc::would_block) return st.error();
    if (auto w = wait_for(stream.native_handle(), (*session)->wants(), deadline,
                          failure::tls_handshake_timeout);
        !w)
      return w.error();
  }
  std::unique_ptr<Impl> impl(new (std::nothrow)
                                 Impl{std::move(stream), std::move(context), std::move(*session)});
  if (!impl) return make_error(std::errc::not_enough_memory);
  return TlsStream(std::move(impl));
}

bool TlsStream::is_open() const noexcept {
  return impl_ != nullptr;
}

Result<std::size_t> TlsStream::receive(std::span<std::byte> into,
                                       std::chrono::milliseconds timeout) {
  if (!impl_) return failure::closed_socket;
  if (into.empty()) return std::size_t{0};
  const auto deadline = deadline_in(timeout);
  for (;;) {
    auto n = impl_->session->read(into);
    if (n || n.error() != errc::would_block) return n;
    if (auto w = wait_for(impl_->stream.native_handle(), impl_->session->wants(), deadline,
                          failure::receive_timeout);
        !w)
      return w.error();
  }
}

Result<std::size_t> TlsStream::receive(std::span<char> into, std::chrono::milliseconds timeout) {
  return receive(std::as_writable_bytes(into), timeout);
}

Status TlsStream::write_all(std::span<const std::byte> data, std::chrono::milliseconds timeout) {
  if (!impl_) return failure::closed_socket;
  const auto deadline = deadline_in(timeout);
  while (!data.empty()) {
    auto n = impl_->session->write(data);
    if (n) {
      data = data.subspan(*n);
      continue;
    }
    if (n.error() != errc::would_block) return n.error();
    // The same bytes are offered again after the wait, as the libraries require.
    if (auto w = wait_for(impl_->stream.native_handle(), impl_->session->wants(), deadline,
                          failure::send_timeout);
        !w)
      return w;
  }
  return {};
}

Status TlsStream::write_all(std::string_view data, std::chrono::milliseconds timeout) {
  return write_all(std::as_bytes(std::span(data.data(), data.size())), timeout);
}

Status TlsStream::close(std::chrono::milliseconds timeout) noexcept {
  if (!impl_) return failure::closed_socket;
  const auto deadline = deadline_in(timeout);
  Status notified;
  for (;;) {
    notified = impl_->session->close_notify();
    if (notified || notified.error() != errc::would_block) break;
    if (auto w = wait_for(impl_->stream.native_handle(), impl_->session->wants(), deadline,
                          failure::send_timeout);
        !w) {
      notified = w;
      break;
    }
  }
  impl_->session.reset();  // before the socket it writes to
  Status closed = impl_->stream.close();
  impl_.reset();
  if (!notified) return notified;
  return closed;
}

Result<TlsInfo> TlsStream::info() const {
  if (!impl_) return failure::closed_socket;
  return impl_->session->info();
}

NativeHandle TlsStream::native_handle() const noexcept {
  return impl_ ? impl_->stream.native_handle() : NativeHandle{};
}

}  // namespace sockkit
