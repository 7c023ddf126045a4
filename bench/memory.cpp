// SPDX-License-Identifier: MIT
// Memory per idle connection and heap allocations per echoed message, on the
// server side of a sockkit echo server (epoll). The clients run in a child
// process, so their sockets and allocations are not counted here.
//
//   bench_memory [IDLE_CONNECTIONS=10000] [MESSAGES=100000]
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}

// Count every C++ heap allocation in this process (the library allocates only with new).
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  std::abort();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using namespace std::chrono_literals;
using sockkit::Connection;

struct CountingEcho : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    bytes += data.size();
    return data.size();
  }
  std::uint64_t bytes = 0;
};

// Child: N idle connections, then one connection doing `messages` 64-byte round trips.
[[noreturn]] void run_clients(sockkit::Endpoint at, int idle, int messages, int to_parent,
                              int from_parent) {
  std::vector<sockkit::TcpStream> held;
  held.reserve(static_cast<std::size_t>(idle));
  for (int i = 0; i < idle; ++i) {
    auto s = sockkit::TcpStream::connect(at, 10s);
    if (!s) std::_Exit(2);
    held.push_back(std::move(*s));
  }
  char go = 0;
  (void)!::write(to_parent, &go, 1);   // idle set is up: the parent measures now
  (void)!::read(from_parent, &go, 1);  // wait for "go on"
  auto s = sockkit::TcpStream::connect(at, 10s);
  if (!s) std::_Exit(3);
  (void)s->set_no_delay(true);
  char msg[64] = {};
  for (int i = 0; i < messages; ++i) {
    if (!s->write_all(std::string_view(msg, sizeof msg)) ||
        !s->read_exact(std::span<char>(msg, sizeof msg)))
      std::_Exit(4);
  }
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  const int idle = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int messages = argc > 2 ? std::atoi(argv[2]) : 100000;
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);

  auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::epoll});
  CountingEcho echo;
  sockkit::ServerOptions options;
  options.max_connections = static_cast<std::size_t>(idle) + 16;
  options.listen.backlog = 4096;
  auto server = sockkit::Server::start(*loop, sockkit::Endpoint::loopback_v4(0), echo, options);
  if (!loop || !server) {
    std::fprintf(stderr, "bench_memory: cannot start the server\n");
    return 1;
  }
  // Warm up the loop's own buffers, then take the "before" picture, then start the clients.
  (void)loop->run_once(10ms);
  const auto heap_before = mallinfo2().uordblks;
  int up[2], down[2];  // child -> parent, parent -> child
  if (::pipe(up) != 0 || ::pipe(down) != 0) return 1;
  const pid_t child = ::fork();
  if (child == 0) run_clients(server->local_endpoint(), idle, messages, up[1], down[0]);
  // Accept every idle connection.
  const bool all_in =
      loop->run_until([&] { return server->stats().open == static_cast<std::size_t>(idle); },
                      sockkit::EventLoop::Clock::now() + 60s);
  char go = 0;
  (void)!::read(up[0], &go, 1);
  const auto heap_after = mallinfo2().uordblks;
  if (!all_in) {
    std::fprintf(stderr, "bench_memory: only %zu of %d connections arrived\n", server->stats().open,
                 idle);
    return 1;
  }
  const double per_idle = static_cast<double>(heap_after - heap_before) / idle;

  // Messages: count allocations between message 1000 and the end.
  (void)!::write(down[1], &go, 1);
  const std::uint64_t warm_bytes = 1000 * 64, end_bytes = static_cast<std::uint64_t>(messages) * 64;
  loop->run_until([&] { return echo.bytes >= warm_bytes; }, sockkit::EventLoop::Clock::now() + 60s);
  const auto allocations_before = g_allocations.load();
  const auto bytes_before = echo.bytes;
  loop->run_until([&] { return echo.bytes >= end_bytes; }, sockkit::EventLoop::Clock::now() + 120s);
  const auto allocations = g_allocations.load() - allocations_before;
  const double echoed = static_cast<double>(echo.bytes - bytes_before) / 64.0;
  int status = 0;
  ::waitpid(child, &status, 0);

  std::printf("idle connections:                 %d\n", idle);
  std::printf(
      "heap bytes per idle connection:   %.1f  (sizeof(Connection) = %zu, loop handler slot = "
      "%zu)\n",
      per_idle, sizeof(Connection), sizeof(void*));
  std::printf("echoed messages measured:         %.0f\n", echoed);
  std::printf("heap allocations per message:     %.4f  (%llu in total)\n",
              echoed > 0 ? static_cast<double>(allocations) / echoed : 0.0,
              static_cast<unsigned long long>(allocations));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
