// SPDX-License-Identifier: MIT
// Architecture 1 of three: thread per connection. Blocking sockets,
// one thread each — simple, and right for a few long-lived connections (an
// RTOS task per connection). Each thread has a receive timeout as watchdog.
//
//   thread_per_connection     serves 3 demo clients, then exits
#include <sockkit/sockkit.hpp>

#include <cctype>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
using namespace std::chrono_literals;

namespace {
// One connection's whole life on its own thread: read a line, answer it in
// upper case, until the peer hangs up or stays silent for 5 s.
void serve(sockkit::TcpStream stream) {
  if (!stream.set_receive_timeout(5s)) return;
  std::string pending;
  char buf[256];
  for (;;) {
    auto n = stream.receive(std::span<char>(buf));
    if (!n || *n == 0) return;  // timed_out (watchdog), reset, or EOF: the thread ends
    pending.append(buf, *n);
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      std::string line = pending.substr(0, nl + 1);
      pending.erase(0, nl + 1);
      for (auto& ch : line)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (!stream.write_all(line, 2s)) return;
    }
  }
}
}  // namespace

int main() {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  auto listener = sockkit::TcpListener::bind(sockkit::Endpoint::loopback_v4(0));
  if (!listener) return std::printf("listen: %s\n", listener.error().message().c_str()), 1;
  const auto at = *listener->local_endpoint();

  std::mutex print;
  int answered = 0;
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&, i] {
      auto s = sockkit::TcpStream::connect(at, 2s);
      const std::string line = "hello from client " + std::to_string(i) + "\n";
      char reply[64] = {};
      if (s && s->write_all(line) && s->read_exact(std::span<char>(reply, line.size()), 2s)) {
        std::lock_guard lock(print);
        std::printf("%s", reply);
        ++answered;
      }
    });

  std::vector<std::thread> workers;  // one per accepted connection
  for (int served = 0; served < 3; ++served) {
    auto accepted = listener->accept();
    if (!accepted) return std::printf("accept: %s\n", accepted.error().message().c_str()), 1;
    workers.emplace_back(serve, std::move(accepted->stream));
  }
  for (auto& t : clients)
    t.join();
  for (auto& t : workers)
    t.join();  // each ends when its client hangs up
  std::printf("served 3 connections on 3 threads, %d answered\n", answered);
  return answered == 3 ? 0 : 1;
}
