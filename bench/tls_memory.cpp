// SPDX-License-Identifier: MIT
// Heap per TLS connection, server side and client side, on one TLS backend:
// after the handshake, one small message and 2.5 s of quiet (idle: sockkit's
// sweep has had OpenSSL give its record buffers back), the peak while 16 KiB
// blocks are echoed one at a time (active), and the peak of one handshake
// made alone (everything that connection takes, sockkit's share included). The clients run in a
// child process, so each side measures only its own heap. This program replaces malloc and friends
// with counting wrappers around glibc's (OpenSSL and mbedTLS allocate with them), so short-lived
// record buffers count too.
//
//   bench_tls_memory [openssl|mbedtls] [CONNECTIONS=200] [ACTIVE=50]
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "sockkit/sockkit.hpp"
#include "support/test_pki.hpp"

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
std::atomic<std::size_t> g_live{0}, g_peak{0};

void* counted(void* p) {
  if (p == nullptr) return p;
  const std::size_t now = g_live += malloc_usable_size(p);
  std::size_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  return p;
}
void uncount(void* p) {
  if (p != nullptr) g_live -= malloc_usable_size(p);
}
}  // namespace

extern "C" {
void* malloc(std::size_t n) {
  return counted(__libc_malloc(n));
}
void* calloc(std::size_t n, std::size_t size) {
  return counted(__libc_calloc(n, size));
}
void* realloc(void* p, std::size_t n) {
  uncount(p);
  return counted(__libc_realloc(p, n));
}
void free(void* p) {
  uncount(p);
  __libc_free(p);
}
void* memalign(std::size_t alignment, std::size_t n) {
  return counted(__libc_memalign(alignment, n));
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
  return counted(__libc_memalign(alignment, n));
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
  *out = counted(__libc_memalign(alignment, n));
  return *out != nullptr ? 0 : ENOMEM;
}
}

namespace {
using namespace std::chrono_literals;
using sockkit::Connection;

std::size_t heap_now() {
  return g_live.load();
}
// Starts a new peak measurement from what is live now.
void reset_peak() {
  g_peak = g_live.load();
}
std::size_t peak_since_reset() {
  return g_peak.load();
}

struct Echo : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
    if (auto st = c.send(d); !st) return st.error();
    bytes += d.size();
    return d.size();
  }
  std::size_t bytes = 0;
};

// The client side: `n` connections that say one byte, then `active` of them stream.
struct Clients : sockkit::ConnectionHandler {
  void on_open(Connection& c) override {
    ++opened;
    ids.push_back(c.id());
    (void)c.send("x");
  }
  sockkit::Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
    received += d.size();
    if (!streaming || c.id() > last_active_id) return d.size();
    // One block in flight per connection: the next leaves when this one is back.
    auto& back = echoed[c.id()];
    back += d.size();
    if (back >= block.size()) {
      back -= block.size();
      (void)c.send(block);
    }
    return d.size();
  }
  void on_connect_failed(const sockkit::Endpoint&, std::error_code why) override {
    std::fprintf(stderr, "bench_tls_memory: connect: %s\n", why.message().c_str());
    std::_Exit(2);
  }
  int opened = 0;
  std::vector<Connection::Id> ids;
  std::size_t received = 0;
  bool streaming = false;
  Connection::Id last_active_id = 0;
  std::map<Connection::Id, std::size_t> echoed;  // bytes of the block in flight that came back
  std::string block = std::string(16 << 10, 'b');
};

[[noreturn]] void run_clients(const sockkit::test::TestPki& pki, sockkit::TlsBackend backend,
                              sockkit::Endpoint at, int n, int active, int to_parent,
                              int from_parent) {
  auto loop = sockkit::EventLoop::create();
  auto tls = sockkit::TlsContext::client(
      {.backend = backend, .ca_file = pki.ca(), .server_name = "localhost"});
  Clients clients;
  auto client = sockkit::Client::create(*loop, clients);
  if (!loop || !tls || !client) std::_Exit(3);
  (void)loop->run_once(1ms);
  const std::size_t before = heap_now();
  // One connection alone first: the peak of a single handshake.
  reset_peak();
  if (!client->connect(at, 10s, {.tls = *tls})) std::_Exit(4);
  loop->run_until([&] { return clients.received >= 1; }, sockkit::EventLoop::Clock::now() + 10s);
  const long one_handshake = static_cast<long>(peak_since_reset() - before);
  (void)!::write(to_parent, &one_handshake, sizeof one_handshake);
  for (int i = 1; i < n; ++i) {
    if (!client->connect(at, 10s, {.tls = *tls})) std::_Exit(4);
    // A few at a time: the server's accept queue and handshakes keep up.
    if (i % 16 == 15)
      loop->run_until([&] { return clients.opened > i - 16; },
                      sockkit::EventLoop::Clock::now() + 10s);
  }
  loop->run_until([&] { return clients.opened == n && clients.received >= std::size_t(n); },
                  sockkit::EventLoop::Clock::now() + 30s);
  // Quiet connections give their TLS buffers back within two sweeps (2 s).
  loop->run_until([] { return false; }, sockkit::EventLoop::Clock::now() + 2500ms);
  const long per_idle = static_cast<long>(heap_now() - before) / n;
  (void)!::write(to_parent, &per_idle, sizeof per_idle);
  char go;
  (void)!::read(from_parent, &go, 1);
  // Active: the first `active` connections stream 16 KiB blocks, echoed back.
  const std::size_t idle_heap = heap_now();
  reset_peak();
  clients.streaming = true;
  int started = 0;
  for (Connection::Id id : clients.ids) {
    if (started == active) break;
    if (Connection* c = client->find(id)) {
      (void)c->send(clients.block);
      clients.last_active_id = std::max(clients.last_active_id, id);
      ++started;
    }
  }
  const auto until = sockkit::EventLoop::Clock::now() + 2s;
  while (sockkit::EventLoop::Clock::now() < until)
    (void)loop->run_once(10ms);
  const long per_active =
      per_idle +
      (static_cast<long>(peak_since_reset()) - static_cast<long>(idle_heap)) / std::max(1, started);
  (void)!::write(to_parent, &per_active, sizeof per_active);
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "openssl";
  const int n = argc > 2 ? std::atoi(argv[2]) : 200;
  const int active = argc > 3 ? std::atoi(argv[3]) : 50;
  auto backend = sockkit::parse_tls_backend(name);
  if (!backend || !sockkit::tls_backend_available(*backend)) {
    std::fprintf(stderr, "bench_tls_memory: no TLS backend '%s' in this build\n", name.c_str());
    return 2;
  }
  sockkit::test::TestPki pki;
  auto loop = sockkit::EventLoop::create();
  auto tls = sockkit::TlsContext::server({.backend = *backend,
                                          .certificate_file = pki.cert("server"),
                                          .private_key_file = pki.key("server")});
  Echo echo;
  sockkit::ServerOptions options;
  options.max_connections = static_cast<std::size_t>(n) + 16;
  options.listen.backlog = 1024;
  if (!pki.ok() || !loop || !tls) return 1;
  options.tls = *tls;
  auto server = sockkit::Server::start(*loop, sockkit::Endpoint::loopback_v4(0), echo, options);
  if (!server) return 1;
  (void)loop->run_once(1ms);
  const std::size_t before = heap_now();
  int up[2], down[2];
  if (::pipe(up) != 0 || ::pipe(down) != 0) return 1;
  reset_peak();
  const pid_t child = ::fork();
  if (child == 0) run_clients(pki, *backend, server->local_endpoint(), n, active, up[1], down[0]);
  loop->run_until([&] { return echo.bytes >= 1; }, sockkit::EventLoop::Clock::now() + 20s);
  const long server_one_handshake = static_cast<long>(peak_since_reset() - before);
  long client_one_handshake = 0;
  (void)!::read(up[0], &client_one_handshake, sizeof client_one_handshake);
  reset_peak();
  loop->run_until([&] { return echo.bytes >= std::size_t(n); },
                  sockkit::EventLoop::Clock::now() + 60s);
  loop->run_until([] { return false; }, sockkit::EventLoop::Clock::now() + 2500ms);
  const std::size_t idle_heap = heap_now();
  long client_idle = 0, client_active = 0;
  // The child writes when its side is idle too; keep serving until it has.
  loop->run_until([&] { return false; }, sockkit::EventLoop::Clock::now() + 200ms);
  (void)!::read(up[0], &client_idle, sizeof client_idle);
  const char go = 1;
  (void)!::write(down[1], &go, 1);
  reset_peak();
  const auto until = sockkit::EventLoop::Clock::now() + 2s;
  while (sockkit::EventLoop::Clock::now() < until)
    (void)loop->run_once(10ms);
  const std::size_t peak = peak_since_reset();
  loop->run_until([&] { return false; }, sockkit::EventLoop::Clock::now() + 300ms);
  (void)!::read(up[0], &client_active, sizeof client_active);
  int status = 0;
  ::kill(child, SIGTERM);
  ::waitpid(child, &status, 0);
  const long server_idle = static_cast<long>(idle_heap - before) / n;
  const long server_active = server_idle + static_cast<long>(peak - idle_heap) / active;
  std::printf(
      "tls %s: %d connections (%d active): server %ld B idle, %ld B active, %ld B at the peak "
      "of one handshake; client %ld B idle, %ld B active, %ld B at the peak of one handshake\n",
      name.c_str(), n, active, server_idle, server_active, server_one_handshake, client_idle,
      client_active, client_one_handshake);
  return 0;
}
