// SPDX-License-Identifier: MIT
// `sockkit bench --tls`: the load generator's messages over TLS connections
// (sockkit's Client, so the same code a device runs), and handshakes per second.
#include <vector>

#include "load.hpp"

namespace sockkit::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Every active connection keeps `pipeline` messages in flight and checks each
// echoed byte; its state hangs off Connection::context.
struct Flow {
  std::uint64_t id = 0;
  std::uint64_t sent = 0, completed = 0;
  std::size_t received_in_message = 0;
  std::vector<Clock::time_point> sent_at;
};

struct TlsLoad : ConnectionHandler {
  TlsLoad(const LoadSpec& s, LoadResult& r, EventLoop& l) : spec(s), result(r), loop(l) {}

  void on_open(Connection& c) override {
    auto* flow = c.emplace_state<Flow>();
    if (flow == nullptr) return c.close(std::make_error_code(std::errc::not_enough_memory));
    flow->id = next_id++;
    flow->sent_at.resize(static_cast<std::size_t>(spec.pipeline));
    ids.push_back(c.id());
    ++opened;
  }
  void begin(Connection& c) {
    if (auto* f = c.state<Flow>()) pump(c, *f);
  }
  void pump(Connection& c, Flow& f) {
    while (running && f.sent - f.completed < static_cast<std::uint64_t>(spec.pipeline)) {
      message.resize(spec.message_size);
      for (std::size_t k = 0; k < spec.message_size; ++k)
        message[k] = pattern(f.id, f.sent, k);
      f.sent_at[f.sent % f.sent_at.size()] = Clock::now();
      if (auto st = c.send(message); !st) return fail(st.error());
      ++f.sent;
    }
  }
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    auto* flow = c.state<Flow>();
    if (flow == nullptr) return data.size();
    auto& f = *flow;
    for (std::byte b : data) {
      if (b != pattern(f.id, f.completed, f.received_in_message)) ++result.mismatches;
      if (++f.received_in_message == spec.message_size) {
        f.received_in_message = 0;
        if (running) {
          const auto took = Clock::now() - f.sent_at[f.completed % f.sent_at.size()];
          result.latency_ns.record(static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
          ++result.messages;
          result.bytes += spec.message_size;
          if (spec.max_messages != 0 && result.messages >= spec.max_messages) {
            running = false;
            loop.stop();
          }
        }
        ++f.completed;
      }
    }
    pump(c, f);
    return data.size();
  }
  void on_close(Connection&, std::error_code why) override {
    if (running && why) fail(why);
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override { fail(why); }
  void fail(std::error_code why) {
    if (!result.error) result.error = why;
    running = false;
    loop.stop();
  }

  const LoadSpec& spec;
  LoadResult& result;
  EventLoop& loop;
  std::vector<std::byte> message;
  std::uint64_t next_id = 0;
  std::vector<Connection::Id> ids;
  int opened = 0;
  bool running = true;
};

// Opens, exchanges one byte (so TLS 1.3 session tickets, which follow the
// handshake, are read), closes, opens again.
struct Handshakes : ConnectionHandler {
  void on_open(Connection& c) override {
    ++done;
    if (auto info = c.tls_info(); info && info->resumed) ++resumed;
    (void)c.send("h");
  }
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> d) override {
    c.close();
    return d.size();
  }
  void on_close(Connection&, std::error_code) override { again(); }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    if (!error) error = why;
    loop->stop();
  }
  void again() {
    if (running && !client->connect(target, std::chrono::seconds(10), {.tls = tls})) loop->stop();
  }
  EventLoop* loop = nullptr;
  Client* client = nullptr;
  Endpoint target;
  std::shared_ptr<TlsContext> tls;
  std::uint64_t done = 0, resumed = 0;
  std::error_code error;
  bool running = true;
};

}  // namespace

Result<LoadResult> run_tls_load(const LoadSpec& spec, std::shared_ptr<TlsContext> tls) {
  if (spec.connections < 1 || spec.pipeline < 1 || spec.message_size < 1)
    return std::make_error_code(std::errc::invalid_argument);
  auto loop = EventLoop::create({.backend = Backend::epoll});
  if (!loop) return loop.error();
  LoadResult result;
  TlsLoad load(spec, result, *loop);
  ConnectionOptions limits;
  limits.max_write_queue =
      std::max<std::size_t>(limits.max_write_queue, spec.message_size * spec.pipeline * 2);
  auto client = Client::create(*loop, load, limits);
  if (!client) return client.error();
  for (int i = 0; i < spec.connections; ++i)
    if (auto st = client->connect(spec.target, std::chrono::seconds(10), {.tls = tls}); !st)
      return st.error();
  // Handshakes first, then the clock starts and every connection begins.
  loop->run_until([&] { return load.opened == spec.connections || result.error; },
                  EventLoop::Clock::now() + std::chrono::seconds(30));
  if (result.error) return result;
  if (load.opened != spec.connections) return make_error_code(failure::tls_handshake_timeout);
  const auto start = Clock::now();
  for (Connection::Id id : load.ids)
    if (Connection* c = client->find(id)) load.begin(*c);
  loop->add_timer(spec.duration, [&] {
    load.running = false;
    loop->stop();
  });
  if (auto st = loop->run(); !st && !result.error) result.error = st.error();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  load.running = false;
  return result;
}

Result<std::uint64_t> run_handshakes(const Endpoint& target, std::shared_ptr<TlsContext> tls,
                                     int concurrency, std::chrono::milliseconds duration,
                                     std::uint64_t* resumed) {
  auto loop = EventLoop::create({.backend = Backend::epoll});
  if (!loop) return loop.error();
  Handshakes h;
  auto client = Client::create(*loop, h);
  if (!client) return client.error();
  h.loop = &*loop;
  h.client = &*client;
  h.target = target;
  h.tls = std::move(tls);
  for (int i = 0; i < concurrency; ++i)
    h.again();
  loop->add_timer(duration, [&] {
    h.running = false;
    loop->stop();
  });
  (void)loop->run();
  h.running = false;
  if (h.error) return h.error;
  if (resumed != nullptr) *resumed = h.resumed;
  return h.done;
}

}  // namespace sockkit::cli
