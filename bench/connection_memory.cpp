// SPDX-License-Identifier: MIT
// Memory a server spends per idle peer, three ways, measured as the server
// process's RSS and address space (/proc/self/statm) before and after N peers
// arrive. The peers live in a child process, so their memory is not counted.
//   threads  blocking accept + one std::thread per connection (default stack)
//   loop     one EventLoop (epoll, or BACKEND) + Server: every connection on one thread
//   udp      one UdpChannel: N sensors each send a datagram; no per-peer socket
//
//   bench_connection_memory MODE [PEERS=1000 [BACKEND=epoll]]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace {

using namespace std::chrono_literals;

struct Usage {
  long rss_kb = 0;
  long virtual_kb = 0;
};

// RSS from smaps_rollup, which walks the page tables: statm's resident count
// is a per-CPU cached counter that can be tens of pages behind.
Usage usage() {
  Usage u;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    long size = 0;
    if (std::fscanf(f, "%ld", &size) == 1) u.virtual_kb = size * (::sysconf(_SC_PAGESIZE) / 1024);
    std::fclose(f);
  }
  if (FILE* f = std::fopen("/proc/self/smaps_rollup", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr)
      if (std::sscanf(line, "Rss: %ld kB", &u.rss_kb) == 1) break;
    std::fclose(f);
  }
  return u;
}

void raise_descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &r);
  }
}

// The peers: N TCP connections (held until `release` closes) or N UDP senders.
pid_t start_peers(const std::string& mode, const sockkit::Endpoint& at, int peers, int ready[2],
                  int release[2]) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::close(ready[0]);
  ::close(release[1]);  // else our own copy would keep the release pipe open
  const int ready_fd = ready[1], release_fd = release[0];
  std::vector<sockkit::TcpStream> streams;
  std::vector<sockkit::UdpSocket> senders;
  for (int i = 0; i < peers; ++i) {
    if (mode == "udp") {
      auto s = sockkit::UdpSocket::open(sockkit::Family::ipv4);
      if (!s || !s->send_to("reading 21.5", at)) ::_exit(1);
      senders.push_back(std::move(*s));
    } else {
      auto s = sockkit::TcpStream::connect(at, 5s);
      if (!s) ::_exit(1);
      streams.push_back(std::move(*s));
    }
  }
  char byte = 'r';
  if (::write(ready_fd, &byte, 1) != 1) ::_exit(1);
  (void)::read(release_fd, &byte, 1);  // returns when the server closes its end
  ::_exit(0);
}

struct Idle : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection&,
                                       std::span<const std::byte> data) override {
    return data.size();
  }
};

struct Sensors : sockkit::UdpHandler {
  int datagrams = 0;
  void on_datagram(sockkit::UdpChannel&, std::span<const std::byte>,
                   const sockkit::Datagram&) override {
    ++datagrams;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const int peers = argc > 2 ? std::atoi(argv[2]) : 1000;
  const auto backend = sockkit::parse_backend(argc > 3 ? argv[3] : "epoll");
  if ((mode != "threads" && mode != "loop" && mode != "udp") || peers < 1 || !backend)
    return std::fprintf(stderr,
                        "usage: bench_connection_memory threads|loop|udp [PEERS [BACKEND]]\n"),
           2;
  raise_descriptor_limit();
  int ready[2], release[2];
  if (::pipe(ready) != 0 || ::pipe(release) != 0) return 1;

  auto loop = sockkit::EventLoop::create({.backend = *backend});
  if (!loop) return std::fprintf(stderr, "loop: %s\n", loop.error().message().c_str()), 1;
  Idle idle;
  Sensors sensors;
  std::optional<sockkit::Server> server;
  std::optional<sockkit::UdpChannel> channel;
  std::optional<sockkit::TcpListener> listener;
  sockkit::Endpoint at;
  std::atomic<int> serving{0};
  std::vector<std::thread> workers;
  std::thread acceptor;

  if (mode == "loop") {
    auto s = sockkit::Server::start(
        *loop, sockkit::Endpoint::loopback_v4(0), idle,
        {.max_connections = static_cast<std::size_t>(peers) + 1, .listen = {.backlog = 4096}});
    if (!s) return std::fprintf(stderr, "server: %s\n", s.error().message().c_str()), 1;
    at = s->local_endpoint();
    server = std::move(*s);
  } else if (mode == "udp") {
    auto socket = sockkit::UdpSocket::bind(sockkit::Endpoint::loopback_v4(0));
    if (!socket) return 1;
    (void)socket->set_receive_buffer_size(4 << 20);  // all N datagrams wait until read
    at = *socket->local_endpoint();
    auto c = sockkit::UdpChannel::create(*loop, std::move(*socket), sensors);
    if (!c) return 1;
    channel = std::move(*c);
  } else {
    auto l = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0), {.backlog = 4096});
    if (!l) return 1;
    at = *l->local_endpoint();
    listener = std::move(*l);
  }
  // Warm up what the first peer would otherwise pay for (thread start, loop buffers).
  (void)loop->run_once(0ms);
  const Usage before = usage();

  const pid_t child = start_peers(mode, at, peers, ready, release);
  // Only the peers hold the write end: if they give up early, the read below
  // sees end-of-file instead of waiting for ever.
  ::close(ready[1]);
  ::close(release[0]);
  if (mode == "threads") {
    acceptor = std::thread([&] {
      for (int i = 0; i < peers; ++i) {
        auto client = listener->accept();
        if (!client) return;
        workers.emplace_back([stream = std::move(client->stream), &serving]() mutable {
          ++serving;
          char buf[512];
          while (auto n = stream.receive(std::span<char>(buf)))  // blocks until the peer closes
            if (*n == 0) break;
        });
      }
    });
  }
  const auto deadline = sockkit::EventLoop::Clock::now() + 60s;
  bool all = false;
  while (!all && sockkit::EventLoop::Clock::now() < deadline) {
    if (mode == "threads") {
      std::this_thread::sleep_for(10ms);
      all = serving.load() == peers;
    } else {
      (void)loop->run_once(10ms);
      all = mode == "loop" ? server->stats().open == static_cast<std::size_t>(peers)
                           : sensors.datagrams == peers;
    }
  }
  std::this_thread::sleep_for(100ms);  // let the last threads settle on their stacks
  const Usage after = usage();
  char byte = 0;
  const bool peers_ready = ::read(ready[0], &byte, 1) == 1;
  ::close(release[1]);  // the peers exit and close their sockets
  int status = 0;
  ::waitpid(child, &status, 0);
  if (acceptor.joinable()) acceptor.join();
  for (auto& t : workers)
    t.join();
  if (!all || !peers_ready) return std::fprintf(stderr, "bench: not every peer arrived\n"), 1;

  const double rss = (after.rss_kb - before.rss_kb) * 1024.0 / peers;
  const double virt = (after.virtual_kb - before.virtual_kb) * 1024.0 / peers;
  std::printf(
      "%-10s peers %6d  RSS per peer %9.0f B  address space per peer %11.0f B  "
      "server sockets %d\n",
      (mode == "loop" ? "loop/" + std::string(sockkit::to_string(*backend)) : mode).c_str(), peers,
      rss, virt, mode == "udp" ? 1 : peers + 1);
}
