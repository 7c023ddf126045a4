// SPDX-License-Identifier: MIT
// TcpListener: bind + listen with safe defaults, and accept.
#include "sockkit/tcp_listener.hpp"

#include "sys/sys.hpp"

namespace sockkit {

Result<TcpListener> TcpListener::bind(const Endpoint& at, const ListenOptions& options) noexcept {
  if (at.family() == Family::none) return failure::wrong_family;
  if (options.backlog < 0) return make_error(std::errc::invalid_argument);
  auto socket = Socket::open(at.family(), SocketType::stream);
  if (!socket) return socket.error();
  if (at.is_ip()) {
    // Set before bind(): TIME_WAIT would otherwise block a restarted server.
    if (options.reuse_address)
      if (auto st = socket->set_reuse_address(true); !st) return st.error();
    if (options.reuse_port)
      if (auto st = socket->set_reuse_port(true); !st) return st.error();
    if (at.family() == Family::ipv6)
      if (auto st = socket->set_ipv6_only(options.ipv6_only); !st) return st.error();
  } else if (options.remove_stale_path) {
    if (auto st = sys::remove_socket_file(at); !st) return st.error();
  }
  const NativeHandle h = socket->native_handle();
  if (auto st = sys::bind(h, at); !st) return st.error();
  if (auto st = sys::listen(h, options.backlog); !st) return st.error();
  TcpListener listener(socket->release(), at.family());
  return listener;
}

Result<Accepted> TcpListener::accept() noexcept {
  if (!is_open()) return failure::closed_socket;
  Endpoint peer;
  auto h = sys::accept(native_handle(), &peer);
  if (!h) return h.error();
  return Accepted{TcpStream(*h, family()), peer};
}

}  // namespace sockkit
