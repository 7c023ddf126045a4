// SPDX-License-Identifier: MIT
// Peers that start a TLS handshake and go quiet: a real ClientHello, caught
// from sockkit's own client, replayed from plain sockets. Used by the TLS
// suite and by bench/tls_quiet_handshakers.cpp.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {

/// The ClientHello `client` sends with `tls`, caught by a plain listener; empty on failure.
std::vector<std::byte> capture_client_hello(EventLoop& loop, Client& client,
                                            const std::shared_ptr<TlsContext>& tls);

/// `count` connections to `server` that send `hello` and then nothing; `between`
/// runs after each (to let a server on the same loop answer).
std::vector<TcpStream> quiet_handshakers(const Endpoint& server, std::span<const std::byte> hello,
                                         int count, const std::function<void()>& between = {});

}  // namespace sockkit::test
