// SPDX-License-Identifier: MIT
// TcpStream: connect (blocking, with timeout, non-blocking), send/receive, exact transfers.
#include "sockkit/tcp_stream.hpp"

#include <algorithm>
#include <array>
#include <climits>

#include "deadline.hpp"
#include "socket/io_errors.hpp"
#include "sockkit/clock.hpp"
#include "sys/sys.hpp"

namespace sockkit {
namespace {

using Clock = LoopClock;
using std::chrono::milliseconds;

/// Milliseconds left until `deadline` (-1: no deadline), clamped for poll().
int remaining_ms(std::optional<Clock::time_point> deadline) noexcept {
  if (!deadline) return -1;
  const auto left = std::chrono::ceil<milliseconds>(*deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

std::optional<Clock::time_point> deadline_after(milliseconds timeout) noexcept {
  if (timeout.count() < 0) return std::nullopt;
  return time::deadline_after(Clock::now(), timeout);
}

}  // namespace

Result<TcpStream> TcpStream::connect(const Endpoint& to) noexcept {
  auto socket = Socket::open(to.family(), SocketType::stream);
  if (!socket) return socket.error();
  if (auto st = sys::connect(socket->native_handle(), to); !st) return st.error();
  return TcpStream(std::move(*socket));
}

Result<TcpStream> TcpStream::start_connect(const Endpoint& to) noexcept {
  auto socket = Socket::open(to.family(), SocketType::stream);
  if (!socket) return socket.error();
  return start_connect(std::move(*socket), to);
}

Result<TcpStream> TcpStream::start_connect(Socket&& socket, const Endpoint& to) noexcept {
  if (!socket.is_open()) return failure::closed_socket;
  if (auto st = socket.set_nonblocking(true); !st) return st.error();
  auto st = sys::connect(socket.native_handle(), to);
  if (!st && st.error() != errc::in_progress) return st.error();
  return TcpStream(std::move(socket));
}

Status TcpStream::finish_connect() noexcept {
  if (!is_open()) return failure::closed_socket;
  auto ready = sys::wait(native_handle(), sys::kWritable, 0);
  if (!ready) return ready.error();
  if (*ready == 0) return failure::connect_in_progress;
  // Writable is not success: SO_ERROR says whether it connected.
  if (auto ec = take_pending_error()) return ec;
  return {};
}

Result<TcpStream> TcpStream::connect(const Endpoint& to, milliseconds timeout) noexcept {
  if (timeout.count() < 0) return connect(to);
  auto stream = start_connect(to);
  if (!stream) return stream.error();
  auto ready = sys::wait(stream->native_handle(), sys::kWritable,
                         static_cast<int>(std::min<long long>(timeout.count(), INT_MAX)));
  if (!ready) return ready.error();
  if (*ready == 0) return failure::connect_timeout;
  if (auto ec = stream->take_pending_error()) return ec;
  if (auto st = stream->set_nonblocking(false); !st) return st.error();
  return stream;
}

Result<std::size_t> TcpStream::send(std::span<const std::byte> data) noexcept {
  if (!is_open()) return failure::closed_socket;
  auto n = sys::send(native_handle(), data.data(), data.size());
  if (!n) return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::send_timeout);
  return n;
}

Result<std::size_t> TcpStream::send(std::string_view data) noexcept {
  return send(std::as_bytes(std::span(data.data(), data.size())));
}

Result<std::size_t> TcpStream::receive(std::span<std::byte> buffer) noexcept {
  if (!is_open()) return failure::closed_socket;
  auto n = sys::receive(native_handle(), buffer.data(), buffer.size());
  if (!n)
    return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::receive_timeout);
  return n;
}

Result<std::size_t> TcpStream::receive(std::span<char> buffer) noexcept {
  return receive(std::as_writable_bytes(buffer));
}

Status TcpStream::write_all(std::span<const std::byte> data, milliseconds timeout) noexcept {
  const auto deadline = deadline_after(timeout);
  while (!data.empty()) {
    auto n = send(data);
    if (n) {
      data = data.subspan(*n);
      continue;
    }
    if (n.error() != errc::would_block) return n.error();
    auto ready = sys::wait(native_handle(), sys::kWritable, remaining_ms(deadline));
    if (!ready) return ready.error();
    if (*ready == 0) return failure::send_timeout;
  }
  return {};
}

Result<std::size_t> TcpStream::send(std::span<const std::span<const std::byte>> parts) noexcept {
  if (!is_open()) return failure::closed_socket;
  auto n = sys::send_gather(native_handle(), parts);
  if (!n) return socket_io::blocking_io_error(n.error(), is_nonblocking(), failure::send_timeout);
  return n;
}

Status TcpStream::write_all(std::span<const std::span<const std::byte>> parts,
                            milliseconds timeout) noexcept {
  const auto deadline = deadline_after(timeout);
  std::array<std::span<const std::byte>, sys::kMaxGatherParts> rest{};
  std::size_t offset = 0;  // bytes of parts.front() already sent
  while (!parts.empty()) {
    const std::size_t count = std::min(parts.size(), rest.size());
    std::copy_n(parts.begin(), count, rest.begin());
    rest[0] = rest[0].subspan(offset);
    auto n = send(std::span(rest.data(), count));
    if (!n) {
      if (n.error() != errc::would_block) return n.error();
      auto ready = sys::wait(native_handle(), sys::kWritable, remaining_ms(deadline));
      if (!ready) return ready.error();
      if (*ready == 0) return failure::send_timeout;
      continue;
    }
    std::size_t taken = offset + *n;
    while (!parts.empty() && taken >= parts.front().size()) {
      taken -= parts.front().size();
      parts = parts.subspan(1);
    }
    offset = taken;
  }
  return {};
}

Status TcpStream::write_all(std::string_view data, milliseconds timeout) noexcept {
  return write_all(std::as_bytes(std::span(data.data(), data.size())), timeout);
}

Status TcpStream::read_exact(std::span<std::byte> buffer, milliseconds timeout) noexcept {
  const auto deadline = deadline_after(timeout);
  while (!buffer.empty()) {
    if (deadline || is_nonblocking()) {
      auto ready = sys::wait(native_handle(), sys::kReadable, remaining_ms(deadline));
      if (!ready) return ready.error();
      if (*ready == 0) return failure::receive_timeout;
    }
    auto n = receive(buffer);
    if (!n) {
      if (n.error() == errc::would_block) continue;
      return n.error();
    }
    if (*n == 0) return failure::unexpected_eof;
    buffer = buffer.subspan(*n);
  }
  return {};
}

Status TcpStream::read_exact(std::span<char> buffer, milliseconds timeout) noexcept {
  return read_exact(std::as_writable_bytes(buffer), timeout);
}

}  // namespace sockkit
