// SPDX-License-Identifier: MIT
// A TLS handshake fed arbitrary bytes by its peer, on each TLS backend, as a
// server (the bytes are a client's flight) and as a client (they are a
// server's): never crashes, hangs or leaks, whatever arrives. The first byte
// picks the backend and the role; the rest is what the peer sent, then EOF.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "sockkit/error.hpp"
#include "sockkit/tls.hpp"
#include "support/test_pki.hpp"
#include "transport/transport.hpp"

namespace {

struct Setup {
  sockkit::test::TestPki pki;
  std::vector<std::shared_ptr<sockkit::TlsContext>> contexts;  // server, client per backend
};

Setup* g_setup = nullptr;

void drain(int fd) {
  char sink[4096];
  while (::read(fd, sink, sizeof sink) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_setup = new Setup;
  if (!g_setup->pki.ok()) std::abort();
  for (auto backend : {sockkit::TlsBackend::openssl, sockkit::TlsBackend::mbedtls}) {
    if (!sockkit::tls_backend_available(backend)) continue;
    auto server = sockkit::TlsContext::server({.backend = backend,
                                               .certificate_file = g_setup->pki.cert("server"),
                                               .private_key_file = g_setup->pki.key("server")});
    auto client = sockkit::TlsContext::client(
        {.backend = backend, .ca_file = g_setup->pki.ca(), .server_name = "localhost"});
    if (!server || !client) std::abort();
    g_setup->contexts.push_back(*server);
    g_setup->contexts.push_back(*client);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || g_setup->contexts.empty()) return 0;
  auto& context = g_setup->contexts[data[0] % g_setup->contexts.size()];
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0) std::abort();
  // The peer's bytes, then its EOF: the session sees exactly this input.
  std::size_t offset = 1;
  while (offset < size) {
    const ssize_t n = ::write(fds[1], data + offset, size - offset);
    if (n <= 0) break;  // more than the socket holds: the rest is cut
    offset += static_cast<std::size_t>(n);
  }
  ::shutdown(fds[1], SHUT_WR);
  {  // the session ends before its socket
    auto session =
        sockkit::transport::engine_of(*context).open(sockkit::NativeHandle{fds[0]}, "localhost");
    if (session) {
      // Bounded: every step consumes input or ends; 64 steps is far beyond a handshake.
      for (int step = 0; step < 64; ++step) {
        drain(fds[1]);  // what the session sends goes nowhere
        auto st = (*session)->handshake();
        if (st) {
          std::byte plain[512];
          auto n = (*session)->read(plain);
          if (!n || *n == 0) break;
          continue;
        }
        if (st.error() != sockkit::errc::would_block) break;
        if ((*session)->wants() & 1) {  // waits for input that will never come: EOF is in
          std::byte probe[1];
          if (::recv(fds[0], probe, 1, MSG_PEEK) <= 0) break;
        }
      }
    }
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
