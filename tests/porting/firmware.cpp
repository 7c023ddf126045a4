// SPDX-License-Identifier: MIT
// The firmware: starts lwIP itself, as its board support code would, then hands
// the running stack to sockkit (attach_stack) and serves an echo on the event
// loop, with a blocking client on another task. Prints "firmware: ok" on success.
#include <cstdio>
#include <string>
#include <thread>

#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "sockkit/sockkit.hpp"

namespace {

struct Echo : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
                                       std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    return data.size();
  }
};

int fail(const char* what, const std::error_code& e) {
  std::printf("firmware: %s: %s\n", what, e.message().c_str());
  return 1;
}

}  // namespace

int main() {
  sys_sem_t up;  // the board's start-up: lwIP first, sockkit after it
  sys_sem_new(&up, 0);
  tcpip_init([](void* sem) { sys_sem_signal(static_cast<sys_sem_t*>(sem)); }, &up);
  sys_sem_wait(&up);
  sys_sem_free(&up);
  if (auto st = sockkit::attach_stack(); !st) return fail("attach_stack", st.error());

#if defined(APP_MINIMAL_SOCKKIT)  // SOCKKIT_BACKENDS=poll, SOCKKIT_ERROR_STRINGS=OFF, 8 timers
  const auto backends = sockkit::compiled_backends();
  if (backends.size() != 1 || backends[0] != sockkit::Backend::poll)
    return std::printf("firmware: more backends than poll were built\n"), 1;
  if (sockkit::EventLoop::create({.backend = sockkit::Backend::select}))
    return std::printf("firmware: select works though it was left out\n"), 1;
  const std::string text = make_error_code(sockkit::failure::connect_timeout).message();
  if (text != "sockkit failure 11: timed_out")
    return std::printf("firmware: error text '%s' with the texts left out\n", text.c_str()), 1;
  if (sockkit::EventLoop::create({.max_timers = 9}))
    return std::printf("firmware: a loop took more timers than the 8 built in\n"), 1;
#endif
  auto loop = sockkit::EventLoop::create({.backend = sockkit::Backend::poll});
  if (!loop) return fail("loop", loop.error());
#if defined(APP_MINIMAL_SOCKKIT)
  if (loop->max_timers() != 8)
    return std::printf("firmware: %zu timers, not the 8 built in\n", loop->max_timers()), 1;
#endif
  Echo echo;
  auto server = sockkit::Server::start(*loop, sockkit::Endpoint::loopback_v4(0), echo);
  if (!server) return fail("server", server.error());
  const auto at = server->local_endpoint();

  std::string reply(5, '\0');
  std::error_code client_error;
  bool client_done = false;  // set on the loop's thread
  std::thread client([&] {
    auto s = sockkit::TcpStream::connect(at, std::chrono::seconds(2));
    if (!s) {
      client_error = s.error();
    } else if (auto w = s->write_all(std::string_view("hello")); !w) {
      client_error = w.error();
    } else if (auto r = s->read_exact(std::span<char>(reply), std::chrono::seconds(2)); !r) {
      client_error = r.error();
    }
    loop->post([&] { client_done = true; });
  });
  const bool done = loop->run_until([&] { return client_done; },
                                    sockkit::EventLoop::Clock::now() + std::chrono::seconds(5));
  client.join();
  if (client_error) return fail("client", client_error);
  if (!done) return std::printf("firmware: the client did not finish in 5 s\n"), 1;
  if (reply != "hello") return std::printf("firmware: echo came back as '%s'\n", reply.c_str()), 1;
  std::printf("firmware: ok (%s, echo through %s)\n", sockkit::stack_name(),
              at.to_string().c_str());
  return 0;
}
