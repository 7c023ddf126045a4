// SPDX-License-Identifier: MIT
/// @file
/// A connected stream socket (TCP, or Unix-domain stream).
///
///       using namespace std::chrono_literals;
///       auto s = sockkit::TcpStream::connect(*sockkit::Endpoint::parse("127.0.0.1:7"), 3s);
///       if (!s) return s.error();              // errc::timed_out, connection_refused, ...
///       s->write_all("ping\n");
///       char reply[5];
///       s->read_exact(std::span<char>(reply));  // errc::peer_closed if it hangs up early
///
/// receive() returning 0 means the peer shut its sending side (EOF). On a
/// non-blocking stream, would-block is errc::would_block; on a blocking stream
/// whose receive/send timeout expired it is errc::timed_out.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>

#include "sockkit/socket.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit {

class TcpListener;

/// A connected stream socket. TCP options fail with errc::not_supported on Unix-domain streams.
class TcpStream : public Socket {
 public:
  TcpStream() noexcept = default;

  /// Blocking connect; waits as long as the stack does (about 2 minutes on Linux
  /// for a silent peer — prefer the overload with a timeout).
  ///
  ///     auto s = sockkit::TcpStream::connect(*sockkit::Endpoint::parse("10.0.0.2:502"));
  ///
  /// @param to the peer.
  /// @return the connected stream, or errc::connection_refused, errc::timed_out,
  ///         errc::network_unreachable, errc::host_unreachable.
  static Result<TcpStream> connect(const Endpoint& to) noexcept;
  /// Connect that gives up after `timeout` with errc::timed_out. Done the safe
  /// way: non-blocking connect, wait for writability, then check SO_ERROR.
  /// The stream is returned in blocking mode.
  ///
  ///     auto s = sockkit::TcpStream::connect(*sockkit::Endpoint::parse("10.0.0.2:502"), 3s);
  ///     if (!s && s.error() == sockkit::errc::timed_out) { /* nobody answered */ }
  ///
  /// @param to the peer. @param timeout for the handshake.
  /// @return the connected stream, or errc::timed_out, errc::connection_refused,
  ///         errc::network_unreachable, errc::host_unreachable.
  static Result<TcpStream> connect(const Endpoint& to, std::chrono::milliseconds timeout) noexcept;
  /// Resolves "host:port" and tries each address in turn within one overall timeout.
  ///
  ///     auto s = sockkit::TcpStream::connect("broker.local:1883", 5s);
  ///
  /// @param host_port "name:port" or numeric text. @param timeout for resolving and connecting.
  /// @return the first stream that connects, or the last address's error
  ///         (failure::name_not_found, errc::timed_out, errc::connection_refused, ...).
  static Result<TcpStream> connect(std::string_view host_port, std::chrono::milliseconds timeout);
  /// Starts a non-blocking connect and returns at once. The stream is non-blocking;
  /// when it turns writable call finish_connect() (an event loop does this).
  ///
  ///     auto s = sockkit::TcpStream::start_connect(to);
  ///     if (s && *s->wait_writable(3s)) (void)s->finish_connect();
  ///
  /// @param to the peer.
  /// @return the stream, connecting; or an error known at once (errc::network_unreachable).
  static Result<TcpStream> start_connect(const Endpoint& to) noexcept;
  /// The same with a socket you opened and configured first: options such as
  /// keepalive are set before the handshake (after it, a refused connection
  /// may already have freed lwIP's PCB, and lwIP refuses TCP options then).
  ///
  ///     auto s = sockkit::Socket::open(to.family(), sockkit::SocketType::stream);
  ///     s->set_keepalive({.idle = 30s});
  ///     auto stream = sockkit::TcpStream::start_connect(std::move(*s), to);
  ///
  /// @param socket an open stream socket, taken over. @param to the peer.
  /// @return the stream, connecting; or failure::wrong_family, or an error known at once.
  static Result<TcpStream> start_connect(Socket&& socket, const Endpoint& to) noexcept;
  /// After start_connect(): success, errc::in_progress (not writable yet), or why it failed.
  /// @return success when connected, errc::in_progress, or the connect's error
  ///         (errc::connection_refused, errc::timed_out, ...).
  Status finish_connect() noexcept;
  /// Takes ownership of a connected stream descriptor of `family` made
  /// elsewhere: handed over by a supervisor or inherited, or accepted for a
  /// Server by its loop. It is closed when the stream is.
  ///
  ///     auto stream = sockkit::TcpStream::adopt(sockkit::NativeHandle{3}, sockkit::Family::ipv4);
  ///
  /// @param handle the descriptor, now owned by the stream. @param family its address family.
  /// @return the stream.
  static TcpStream adopt(NativeHandle handle, Family family) noexcept {
    return TcpStream(handle, family);
  }

  /// Sends what fits now.
  ///
  ///     auto n = s->send(std::as_bytes(std::span(frame)));  // *n may be < frame.size()
  ///
  /// @param data the bytes to send.
  /// @return the count taken (may be less than asked); errc::would_block when
  ///         non-blocking and nothing fits, errc::connection_reset,
  ///         errc::peer_closed (the peer is gone: never SIGPIPE), errc::timed_out
  ///         (SO_SNDTIMEO).
  Result<std::size_t> send(std::span<const std::byte> data) noexcept;
  /// send() of text.
  /// @param data the text to send. @return as send() of bytes.
  Result<std::size_t> send(std::string_view data) noexcept;
  /// Receives what has arrived, up to buffer.size() bytes.
  ///
  ///     std::array<std::byte, 1024> buf;
  ///     auto n = s->receive(buf);
  ///     if (n && *n == 0) { /* the peer closed */ }
  ///
  /// @param buffer where the bytes go.
  /// @return the count received, 0 at the end of the stream; errc::would_block
  ///         when non-blocking and nothing is there, errc::connection_reset,
  ///         errc::timed_out (SO_RCVTIMEO).
  Result<std::size_t> receive(std::span<std::byte> buffer) noexcept;
  /// receive() into characters.
  /// @param buffer where the bytes go. @return as receive() of bytes.
  Result<std::size_t> receive(std::span<char> buffer) noexcept;

  /// Gather write: sends the parts in order with one system call (sendmsg), so
  /// a length header and its payload leave in one segment with TCP_NODELAY on.
  ///
  ///     std::span<const std::byte> parts[] = {header, payload};
  ///     auto n = stream->send(parts);
  ///
  /// @param parts the buffers, in order.
  /// @return the bytes taken (may be less than the total, and end inside a
  ///         part); errors as send().
  Result<std::size_t> send(std::span<const std::span<const std::byte>> parts) noexcept;
  /// Sends every byte of every part, in order, each call a gather write,
  /// looping over partial writes (and, on a non-blocking stream, waiting for
  /// writability).
  /// @param parts the buffers, in order.
  /// @param timeout for the whole call; negative waits forever.
  /// @return errc::timed_out when the time is up (some bytes may have left),
  ///         or the first error of send().
  Status write_all(std::span<const std::span<const std::byte>> parts,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) noexcept;
  /// Sends every byte, looping over partial writes.
  ///
  ///     if (auto st = stream->write_all("PING\n", 2s); !st) return st.error();
  ///
  /// @param data the bytes. @param timeout for the whole call; negative waits forever.
  /// @return errc::timed_out, or the first error of send().
  Status write_all(std::span<const std::byte> data,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) noexcept;
  /// write_all() of text.
  /// @param data the text. @param timeout for the whole call; negative waits forever.
  /// @return as write_all() of bytes.
  Status write_all(std::string_view data,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) noexcept;
  /// Fills the whole buffer, looping over short reads.
  ///
  ///     std::array<std::byte, 4> header;
  ///     if (auto st = stream->read_exact(header, 5s); !st) return st.error();
  ///
  /// @param buffer filled completely. @param timeout for the whole call; negative waits forever.
  /// @return errc::peer_closed when the stream ends first, errc::timed_out, or
  ///         the first error of receive().
  Status read_exact(std::span<std::byte> buffer,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) noexcept;
  /// read_exact() into characters.
  /// @param buffer filled completely. @param timeout for the whole call.
  /// @return as read_exact() of bytes.
  Status read_exact(std::span<char> buffer,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) noexcept;

  /// Half-close: sends FIN, receiving still works until the peer closes.
  /// @return errc::not_connected when not connected.
  Status shutdown_write() noexcept { return shutdown(Shutdown::write); }

 private:
  friend class TcpListener;
  using Socket::Socket;
  explicit TcpStream(Socket&& socket) noexcept : Socket(std::move(socket)) {}
};

}  // namespace sockkit

#pragma GCC visibility pop
