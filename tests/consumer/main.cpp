// SPDX-License-Identifier: MIT
// Out-of-tree consumer: echo one message over loopback through an installed
// sockkit, then, with a certificate given, one over TLS on each TLS backend the
// install has, checking that it has exactly the ones expected.
//   consumer                                  # plain TCP only
//   consumer CERT KEY EXPECTED                # EXPECTED: openssl,mbedtls | openssl | none ...
#include <sockkit/sockkit.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;

int plain_echo() {
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener) return std::fprintf(stderr, "bind: %s\n", listener.error().message().c_str()), 1;
  auto client = sockkit::TcpStream::connect(*listener->local_endpoint(), 2s);
  auto server = listener->accept();
  if (!client || !server) return std::fprintf(stderr, "connect/accept failed\n"), 1;
  if (!client->write_all("consumer-ok")) return 1;
  char buf[11];
  if (!server->stream.read_exact(std::span<char>(buf))) return 1;
  std::printf("%.*s\n", 11, buf);
  return std::memcmp(buf, "consumer-ok", 11) == 0 ? 0 : 1;
}

// One message over TLS on `backend`, the certificate checked against itself as CA.
int tls_echo(sockkit::TlsBackend backend, const char* cert, const char* key) {
  const char* name = sockkit::to_string(backend);
  auto server_tls = sockkit::TlsContext::server(
      {.backend = backend, .certificate_file = cert, .private_key_file = key});
  auto client_tls = sockkit::TlsContext::client({.backend = backend, .ca_file = cert});
  if (!server_tls || !client_tls)
    return std::fprintf(stderr, "%s: context: %s\n", name,
                        (server_tls ? client_tls.error() : server_tls.error()).message().c_str()),
           1;
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener) return 1;
  const std::string at = "127.0.0.1:" + std::to_string(listener->local_endpoint()->port());
  bool served = false;
  std::thread server([&] {
    auto accepted = listener->accept();
    if (!accepted) return;
    auto s = sockkit::TlsStream::handshake(std::move(accepted->stream), *server_tls, 5s);
    char buf[10];
    served = s && s->receive(std::span<char>(buf), 5s).value_or(0) == 10 &&
             std::memcmp(buf, "tls-echoed", 10) == 0 && s->write_all("ok", 5s);
  });
  auto s = sockkit::TlsStream::connect(at, *client_tls, 5s, "localhost");
  char reply[2] = {};
  const bool sent = s && s->write_all("tls-echoed", 5s) &&
                    s->receive(std::span<char>(reply), 5s).value_or(0) == 2;
  server.join();
  if (!s) std::fprintf(stderr, "%s: connect: %s\n", name, s.error().message().c_str());
  if (!sent || !served || std::memcmp(reply, "ok", 2) != 0) return 1;
  std::printf("tls-ok %s\n", name);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (plain_echo() != 0) return 1;
  if (argc < 4) return 0;
  const std::string expected = argv[3];
  for (auto backend : {sockkit::TlsBackend::openssl, sockkit::TlsBackend::mbedtls}) {
    const char* name = sockkit::to_string(backend);
    const bool wanted = expected.find(name) != std::string::npos;
    if (sockkit::tls_backend_available(backend) != wanted)
      return std::fprintf(stderr, "%s: available is %d, expected %d\n", name, !wanted, wanted), 1;
    if (wanted) {
      if (tls_echo(backend, argv[1], argv[2]) != 0) return 1;
      continue;
    }
    // Not installed: a clear error, not a crash.
    auto context = sockkit::TlsContext::client({.backend = backend});
    if (context || context.error() != sockkit::failure::backend_unavailable)
      return std::fprintf(stderr, "%s: missing, but the context says otherwise\n", name), 1;
    std::printf("tls-missing %s: %s\n", name, context.error().message().c_str());
  }
  return 0;
}
