// The seed's smart meter, fixed in three parts: TCP keepalive, application
// heartbeats, reconnect with backoff 1…60 s — plus a watchdog. It sends a
// reading every second to a line-based server and prints every event.
//
//   smart_meter HOST:PORT            run against a server ("sockkit echo-server" will do)
//   smart_meter --fast HOST:PORT     the same with second-scale timers, to watch it
//                                    survive a fault (examples/survive-a-fault.sh)
//   smart_meter --demo               self-contained: an in-process server that
//                                    goes away for 3 s and comes back
#include <sockkit/sockkit.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
using namespace std::chrono_literals;

namespace {
struct Meter : sockkit::ReconnectingHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection&,
                                       std::span<const std::byte> data) override {
    acknowledged += data.size();  // the server echoes: any byte answers the heartbeat
    return data.size();
  }
  void on_connecting(unsigned attempt, const std::vector<sockkit::Endpoint>& to) override {
    std::printf("connecting (attempt %u, %zu address%s)\n", attempt, to.size(),
                to.size() == 1 ? "" : "es");
  }
  void on_open(sockkit::Connection& c) override {
    std::printf("connected to %s\n", c.peer() ? c.peer()->to_string().c_str() : "?");
    ++connects;
  }
  void on_close(sockkit::Connection&, std::error_code why) override {
    std::printf("disconnected: %s (%s)\n", why.message().c_str(),
                sockkit::to_string(sockkit::classify(why)));
  }
  void on_connect_failed(const sockkit::Endpoint& to, std::error_code why) override {
    std::printf("  %s failed: %s\n", to.to_string().c_str(), why.message().c_str());
  }
  void on_retry_scheduled(std::chrono::milliseconds after, unsigned attempt) override {
    std::printf("retry %u in %.1f s\n", attempt, static_cast<double>(after.count()) / 1000);
  }
  void on_given_up(std::error_code last) override {
    std::printf("given up: %s\n", last.message().c_str());
  }
  void on_heartbeat(sockkit::Connection& c) override { (void)c.send("PING\n"); }
  void on_outbox_drop(std::size_t messages, std::size_t) override {
    std::printf("outbox full: dropped %zu reading(s)\n", messages);
  }
  std::size_t acknowledged = 0;
  int connects = 0;
};

struct Echo : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
                                       std::span<const std::byte> data) override {
    if (auto st = c.send(data); !st) return st.error();
    return data.size();
  }
};
}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // events appear as they happen, even in a pipe
  const bool demo = argc > 1 && std::strcmp(argv[1], "--demo") == 0;
  const bool fast = demo || (argc > 2 && std::strcmp(argv[1], "--fast") == 0);
  if (argc < 2) return std::printf("usage: smart_meter [--fast] HOST:PORT | --demo\n"), 2;
  const char* target = argv[argc - 1];
  auto loop = sockkit::EventLoop::create();
  if (!loop) return std::printf("loop: %s\n", loop.error().message().c_str()), 1;

  // The demo's server: on this loop, stopped and restarted on the same port.
  Echo echo;
  std::unique_ptr<sockkit::Server> server;
  sockkit::Endpoint at;
  if (demo) {
    auto s = sockkit::Server::start(**loop, sockkit::Endpoint::loopback_v4(0), echo);
    if (!s) return std::printf("server: %s\n", s.error().message().c_str()), 1;
    server = std::move(*s);
    at = server->local_endpoint();
  }

  sockkit::ClientSettings settings;  // keepalive 30/10/3 and a 30 s user timeout by default
  settings.heartbeat = {.interval = fast ? 500ms : 30s, .timeout = fast ? 500ms : 10s};
  settings.idle_timeout = fast ? 2s : 120s;        // the seed's watchdog
  settings.reconnect.initial = fast ? 250ms : 1s;  // 1, 2, 4, 8 … 60 s in production
  settings.reconnect.max = fast ? 1s : 60s;
  Meter meter;
  auto link =
      sockkit::ReconnectingClient::create(**loop, demo ? at.to_string() : target, meter, settings);
  if (!link) return std::printf("client: %s\n", link.error().message().c_str()), 1;
  (*link)->start();

  int reading = 0;
  (*loop)->add_repeating_timer(fast ? 200ms : 1s, [&] {
    const std::string line = "reading " + std::to_string(++reading) + " kWh\n";
    (void)(*link)->send(line);  // queued while disconnected, sent after reconnecting
  });
  if (demo) {
    (*loop)->add_timer(1500ms, [&] {
      std::printf("-- demo: the server goes away for 3 s --\n");
      server.reset();
    });
    (*loop)->add_timer(4500ms, [&] {
      auto s = sockkit::Server::start(**loop, at, echo);  // same port at once: SO_REUSEADDR
      std::printf("-- demo: the server is back on %s: %s --\n", at.to_string().c_str(),
                  s ? "ok" : s.error().message().c_str());
      if (s) server = std::move(*s);
    });
    (*loop)->add_timer(7s, [&] { (*loop)->stop(); });
  }
  (void)(*loop)->run();
  const auto stats = (*link)->stats();
  std::printf("connected %d times, %llu readings dropped, %zu bytes acknowledged\n", meter.connects,
              static_cast<unsigned long long>(stats.dropped_messages), meter.acknowledged);
  return demo && meter.connects < 2 ? 1 : 0;
}
