// SPDX-License-Identifier: MIT
// Architecture 3 of three: one I/O loop plus worker threads. The
// loop owns every socket (the rule on lwIP too); slow work goes to a queue,
// and workers hand results back with EventLoop::post(). Requests are lines of
// numbers; the answer is their sum, computed "slowly" on a worker. A reply
// finds its connection by id with Server::find: ids are never reused, so a
// reply for a client that left is dropped, never sent to a newcomer.
//
//   hybrid_server     serves 3 demo clients with 2 workers, then exits
#include <sockkit/sockkit.hpp>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
using namespace std::chrono_literals;

namespace {
// A plain work queue: the loop pushes, workers pop.
class WorkQueue {
 public:
  void push(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  bool pop(std::function<void()>& job) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !jobs_.empty(); });
    if (jobs_.empty()) return false;
    job = std::move(jobs_.front());
    jobs_.pop_front();
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool closed_ = false;
};

class SumService : public sockkit::ConnectionHandler {
 public:
  SumService(sockkit::EventLoop& loop, WorkQueue& work) : loop_(loop), work_(work) {}
  void serve(sockkit::Server& server) { server_ = &server; }
  sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
                                       std::span<const std::byte> data) override {
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    const auto nl = text.rfind('\n');
    if (nl == std::string_view::npos) return std::size_t{0};  // wait for a whole line
    std::istringstream lines{std::string(text.substr(0, nl + 1))};
    for (std::string line; std::getline(lines, line);)
      submit(c.id(), line);
    return nl + 1;  // consumed whole lines; the rest stays buffered
  }

 private:
  void submit(sockkit::Connection::Id id, const std::string& line) {
    work_.push([this, id, line] {  // on a worker thread: no socket here
      std::istringstream in(line);
      long long sum = 0;
      for (long long v; in >> v;)
        sum += v;
      std::this_thread::sleep_for(20ms);  // stands for real work (a database, a computation)
      const std::string answer = line + " = " + std::to_string(sum) + "\n";
      loop_.post([this, id, answer] {                            // back on the loop thread
        if (auto* c = server_->find(id)) (void)c->send(answer);  // null: the client left
      });
    });
  }
  sockkit::EventLoop& loop_;
  WorkQueue& work_;
  sockkit::Server* server_ = nullptr;
};
}  // namespace

int main() {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  auto loop = sockkit::EventLoop::create();
  if (!loop) return 1;
  WorkQueue work;
  SumService service(*loop, work);
  auto server = sockkit::Server::start(*loop, sockkit::Endpoint::loopback_v4(0), service);
  if (!server) return std::printf("server: %s\n", server.error().message().c_str()), 1;
  service.serve(*server);
  std::vector<std::thread> workers;
  for (int i = 0; i < 2; ++i)
    workers.emplace_back([&] {
      for (std::function<void()> job; work.pop(job);)
        job();
    });

  std::mutex print;
  int answered = 0;
  std::vector<std::thread> clients;
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&, i, at = server->local_endpoint()] {
      auto s = sockkit::TcpStream::connect(at, 2s);
      const std::string request = std::to_string(i) + " 10 20\n";
      char reply[64] = {};
      if (!s || !s->write_all(request)) return;
      std::string got;
      while (got.find('\n') == std::string::npos) {
        auto n = s->receive(std::span<char>(reply));
        if (!n || *n == 0) return;
        got.append(reply, *n);
      }
      std::lock_guard lock(print);
      std::printf("%s", got.c_str());
      ++answered;
    });
  std::thread done([&] {
    for (auto& t : clients)
      t.join();
    loop->post([&] { loop->stop(); });  // post() is the one loop call safe from any thread
  });
  (void)loop->run();
  done.join();
  work.close();
  for (auto& t : workers)
    t.join();
  std::printf("answered %d requests with 2 workers and 1 I/O loop\n", answered);
  return answered == 3 ? 0 : 1;
}
