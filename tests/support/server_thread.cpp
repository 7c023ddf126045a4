// SPDX-License-Identifier: MIT
#include "support/server_thread.hpp"

#include <future>

namespace sockkit::test {

ServerThread::ServerThread(Backend backend, ConnectionHandler& handler, ServerOptions options,
                           Endpoint at) {
  auto loop = EventLoop::create({.backend = backend});
  if (!loop) {
    error_ = "loop: " + loop.error().message();
    return;
  }
  loop_ = std::move(*loop);
  auto server = Server::start(*loop_, at, handler, options);
  if (!server) {
    error_ = "server: " + server.error().message();
    return;
  }
  server_ = std::move(*server);
  endpoint_ = server_->local_endpoint();
  ok_ = true;
  thread_ = std::thread([this] {
    while (!quit_) {
      (void)loop_->run_once(std::chrono::milliseconds(50));
      ++iterations_;
    }
    server_.reset();  // closes connections on the loop thread
  });
}

ServerThread::~ServerThread() {
  quit_ = true;
  if (thread_.joinable()) {
    loop_->post([] {});
    thread_.join();
  }
}

void ServerThread::call(const std::function<void(EventLoop&, Server&)>& fn) {
  std::promise<void> done;
  loop_->post([&] {
    fn(*loop_, *server_);
    done.set_value();
  });
  done.get_future().wait();
}

ServerStats ServerThread::stats() {
  ServerStats s;
  call([&](EventLoop&, Server& server) { s = server.stats(); });
  return s;
}

}  // namespace sockkit::test
