// SPDX-License-Identifier: MIT
#include "support/quiet_handshakers.hpp"

#include <chrono>
#include <functional>

namespace sockkit::test {

using namespace std::chrono_literals;

std::vector<std::byte> capture_client_hello(EventLoop& loop, Client& client,
                                            const std::shared_ptr<TlsContext>& tls) {
  auto listener = TcpListener::bind(Endpoint::loopback_v4(0));
  if (!listener) return {};
  auto at = listener->local_endpoint();
  if (!at || !client.connect(*at, 2s, {.tls = tls})) return {};
  // The hello leaves at connect: a few turns of the loop send it.
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 300ms);
  auto peer = listener->accept();
  if (!peer) return {};
  (void)peer->stream.set_receive_timeout(2s);
  std::vector<std::byte> hello(16 << 10);
  auto n = peer->stream.receive(std::span(hello));
  hello.resize(n ? *n : 0);
  return hello;
}

std::vector<TcpStream> quiet_handshakers(const Endpoint& server, std::span<const std::byte> hello,
                                         int count, const std::function<void()>& between) {
  std::vector<TcpStream> peers;
  for (int i = 0; i < count; ++i) {
    auto s = TcpStream::connect(server, 2s);
    if (!s || !s->write_all(hello, 2s)) break;
    peers.push_back(std::move(*s));
    if (between) between();
  }
  return peers;
}

}  // namespace sockkit::test
