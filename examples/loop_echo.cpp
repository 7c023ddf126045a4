// SPDX-License-Identifier: MIT
// An event-loop echo server with backpressure, and a client thread to try it.
#include <sockkit/sockkit.hpp>

#include <cstdio>
#include <thread>
using namespace std::chrono_literals;

struct Echo : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
                                       std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();  // queue full: close with the reason
    return data.size();                                  // consumed everything
  }
  void on_high_watermark(sockkit::Connection& c) override { c.pause_reading(); }
  void on_drain(sockkit::Connection& c) override { c.resume_reading(); }
};

int main(int argc, char** argv) {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  auto backend = sockkit::parse_backend(argc > 1 ? argv[1] : "epoll");
  if (!backend) return std::printf("unknown backend\n"), 2;
  auto loop = sockkit::EventLoop::create({.backend = *backend});
  if (!loop) return std::printf("loop: %s\n", loop.error().message().c_str()), 1;
  Echo echo;
  auto server = sockkit::Server::start(*loop, sockkit::Endpoint::loopback_v4(0), echo,
                                       {.max_connections = 100});
  if (!server) return std::printf("server: %s\n", server.error().message().c_str()), 1;

  std::thread client([&, at = server->local_endpoint()] {
    auto s = sockkit::TcpStream::connect(at, 2s);
    char reply[5] = {};
    if (s && s->write_all("hello") && s->read_exact(std::span<char>(reply), 2s))
      std::printf("%s: %.5s\n", sockkit::to_string(loop->backend()), reply);
    loop->post([&] { loop->stop(); });  // post() and stop() are thread-safe
  });
  (void)loop->run();
  client.join();
}
