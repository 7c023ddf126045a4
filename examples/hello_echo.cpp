// SPDX-License-Identifier: MIT
// README example: a TCP echo server and client over loopback.
// `hello_echo HOST:PORT` skips the server and talks to one already running,
// e.g. `sockkit echo-server -l 127.0.0.1:7000`.
#include <sockkit/sockkit.hpp>

#include <cstdio>
#include <thread>
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  // Server: socket + SO_REUSEADDR + bind + listen in one call; port 0 = any free port.
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener) return std::printf("listen: %s\n", listener.error().message().c_str()), 1;
  auto at = argc > 1 ? sockkit::Endpoint::parse(argv[1]) : listener->local_endpoint();
  if (!at) return std::printf("address: %s\n", at.error().message().c_str()), 1;

  std::jthread server([&] {
    if (argc > 1) return;
    auto client = listener->accept();  // a NEW stream; the listener stays open
    if (!client) return;
    char buf[256];
    while (auto n = client->stream.receive(std::span<char>(buf))) {
      if (*n == 0) break;  // peer half-closed: done
      if (!client->stream.write_all({buf, *n})) break;
    }
  });

  // Client: connect with a timeout (non-blocking connect + SO_ERROR inside).
  auto stream = sockkit::TcpStream::connect(*at, 3s);
  if (!stream) return std::printf("connect: %s\n", stream.error().message().c_str()), 1;
  (void)stream->write_all("hello");
  (void)stream->shutdown_write();  // half-close: "I am done sending"
  char reply[5];
  if (auto st = stream->read_exact(std::span<char>(reply), 2s); !st)
    return std::printf("read: %s\n", st.error().message().c_str()), 1;  // e.g. peer_closed
  std::printf("%.5s\n", reply);
}
