// SPDX-License-Identifier: MIT
#include "support/ping_pong.hpp"

namespace sockkit::test {
namespace {
struct Pong : ConnectionHandler {
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
    (void)c.send(d);
    return d.size();
  }
};
}  // namespace

PingPongResult ping_pong_while(EventLoop& loop, std::chrono::milliseconds duration,
                               const std::function<bool()>& stop) {
  using Clock = EventLoop::Clock;
  PingPongResult r;
  Pong pong;
  auto server = Server::start(loop, Endpoint::loopback_v4(0), pong);
  if (!server) return {.error = "echo server: " + server.error().message()};
  auto client = TcpStream::connect(server->local_endpoint());
  if (!client || !client->set_nonblocking(true)) return {.error = "client socket"};
  const auto end = Clock::now() + duration;
  while (Clock::now() < end && !stop()) {
    const auto sent_at = Clock::now();
    if (!client->send("p")) return {.error = "send failed"};
    char b;
    for (;;) {
      if (!loop.run_once(std::chrono::milliseconds(5))) return {.error = "loop failed"};
      if (client->receive(std::span(&b, 1))) break;
      if (Clock::now() - sent_at > std::chrono::seconds(1))
        return {.error = "the loop stopped serving"};
    }
    r.worst = std::max<std::chrono::nanoseconds>(r.worst, Clock::now() - sent_at);
    ++r.round_trips;
  }
  return r;
}

}  // namespace sockkit::test
