// SPDX-License-Identifier: MIT
// Out-of-tree consumer: echo one message over loopback through an installed sockkit.
#include <sockkit/sockkit.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>

int main() {
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener) return std::fprintf(stderr, "bind: %s\n", listener.error().message().c_str()), 1;
  auto client = sockkit::TcpStream::connect(*listener->local_endpoint(), std::chrono::seconds(2));
  auto server = listener->accept();
  if (!client || !server) return std::fprintf(stderr, "connect/accept failed\n"), 1;
  if (!client->write_all("consumer-ok")) return 1;
  char buf[11];
  if (!server->stream.read_exact(std::span<char>(buf))) return 1;
  std::printf("%.*s\n", 11, buf);
  return std::memcmp(buf, "consumer-ok", 11) == 0 ? 0 : 1;
}
