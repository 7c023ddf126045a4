#include "load.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <vector>

namespace sockkit::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct LoadState {
  EventLoop* loop = nullptr;
  const LoadSpec* spec = nullptr;
  LoadResult* result = nullptr;
  bool running = true;
};

class ActiveConnection final : public IoHandler {
 public:
  ActiveConnection(LoadState& state, TcpStream stream, std::uint64_t id)
      : state_(state),
        stream_(std::move(stream)),
        id_(id),
        message_(state.spec->message_size),
        sent_at_(static_cast<std::size_t>(state.spec->pipeline)) {}

  Status start() {
    if (auto st = stream_.set_nonblocking(true); !st) return st;
    (void)stream_.set_no_delay(true);
    if (auto st = state_.loop->watch(stream_.native_handle(), io::readable, this); !st) return st;
    pump();
    return {};
  }
  void stop() { (void)state_.loop->unwatch(stream_.native_handle()); }

  void on_io(unsigned events) noexcept override {
    if (events & (io::readable | io::error | io::hangup)) receive();
    if (state_.running) pump();
  }

 private:
  void fail(std::error_code why) {
    if (!state_.result->error) state_.result->error = why;
    state_.running = false;
    state_.loop->stop();
  }

  // Keeps `pipeline` messages in flight.
  void pump() {
    const auto size = state_.spec->message_size;
    while (state_.running &&
           sent_ - completed_ < static_cast<std::uint64_t>(state_.spec->pipeline)) {
      if (offset_ == 0) {
        for (std::size_t k = 0; k < size; ++k)
          message_[k] = pattern(id_, sent_, k);
        sent_at_[sent_ % sent_at_.size()] = Clock::now();
      }
      auto n = stream_.send(std::span(message_).subspan(offset_));
      if (!n) {
        if (n.error() == errc::would_block) return set_writable(true);
        return fail(n.error());
      }
      offset_ += *n;
      if (offset_ == size) {
        offset_ = 0;
        ++sent_;
      }
    }
    set_writable(false);
  }

  void set_writable(bool on) {
    if (on == writable_) return;
    writable_ = on;
    (void)state_.loop->rewatch(stream_.native_handle(), io::readable | (on ? io::writable : 0u));
  }

  void receive() {
    std::array<std::byte, 64 * 1024> buf;
    const auto size = state_.spec->message_size;
    for (;;) {
      auto n = stream_.receive(buf);
      if (!n) {
        if (n.error() == errc::would_block) return;
        return fail(n.error());
      }
      if (*n == 0) return fail(make_error_code(failure::unexpected_eof));
      for (std::size_t i = 0; i < *n; ++i) {
        if (buf[i] != pattern(id_, completed_, received_in_message_)) ++state_.result->mismatches;
        if (++received_in_message_ == size) {
          received_in_message_ = 0;
          if (state_.running) {
            const auto took = Clock::now() - sent_at_[completed_ % sent_at_.size()];
            state_.result->latency_ns.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
            ++state_.result->messages;
            state_.result->bytes += size;
            if (state_.spec->max_messages != 0 &&
                state_.result->messages >= state_.spec->max_messages) {
              state_.running = false;
              state_.loop->stop();
            }
          }
          ++completed_;
        }
      }
    }
  }

  LoadState& state_;
  TcpStream stream_;
  std::uint64_t id_;
  std::vector<std::byte> message_;
  std::vector<Clock::time_point> sent_at_;  // ring of send times, one per message in flight
  std::uint64_t sent_ = 0, completed_ = 0;
  std::size_t offset_ = 0, received_in_message_ = 0;
  bool writable_ = false;
};

}  // namespace

std::size_t raise_descriptor_limit(std::size_t wanted) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  if (r.rlim_cur < wanted) {
    r.rlim_cur = std::min<rlim_t>(r.rlim_max, wanted);
    (void)setrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur;
}

Result<LoadResult> run_load(const LoadSpec& spec, const std::function<void(double)>& progress) {
  if (spec.connections < 1 || spec.pipeline < 1 || spec.message_size < 1 || spec.idle < 0)
    return std::make_error_code(std::errc::invalid_argument);
  auto loop = EventLoop::create({.backend = Backend::epoll});
  if (!loop) return loop.error();
  LoadResult result;
  LoadState state{&*loop, &spec, &result};

  std::vector<TcpStream> idle;
  for (int i = 0; i < spec.idle; ++i) {
    auto s = TcpStream::connect(spec.target, std::chrono::seconds(10));
    if (!s) return s.error();
    idle.push_back(std::move(*s));
  }
  if (spec.idle > 0) std::this_thread::sleep_for(spec.settle);
  std::vector<std::unique_ptr<ActiveConnection>> active;
  for (int i = 0; i < spec.connections; ++i) {
    auto s = TcpStream::connect(spec.target, std::chrono::seconds(10));
    if (!s) return s.error();
    active.push_back(std::make_unique<ActiveConnection>(state, std::move(*s), i));
  }
  const auto start = Clock::now();
  for (auto& c : active)
    if (auto st = c->start(); !st) return st.error();
  loop->add_timer(spec.duration, [&] {
    state.running = false;
    loop->stop();
  });
  if (progress) {
    loop->add_repeating_timer(std::chrono::milliseconds(250), [&] {
      progress(std::min(1.0, std::chrono::duration<double>(Clock::now() - start) /
                                 std::chrono::duration<double>(spec.duration)));
    });
  }
  if (auto st = loop->run(); !st && !result.error) result.error = st.error();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& c : active)
    c->stop();
  return result;
}

Result<std::unique_ptr<EchoServerThread>> EchoServerThread::start(Backend backend,
                                                                  std::size_t max_connections) {
  std::unique_ptr<EchoServerThread> t(new EchoServerThread());
  auto loop = EventLoop::create({.backend = backend});
  if (!loop) return loop.error();
  t->loop_ = std::move(*loop);
  ServerOptions options;
  options.max_connections = max_connections;
  options.listen.backlog = 4096;  // a burst of idle connections must not overflow it
  auto server = Server::start(*t->loop_, Endpoint::loopback_v4(0), t->echo_, options);
  if (!server) return server.error();
  t->server_ = std::move(*server);
  t->endpoint_ = t->server_->local_endpoint();
  t->backend_ = t->loop_->backend();
  t->thread_ = std::thread([p = t.get()] { (void)p->loop_->run(); });
  return t;
}

EchoServerThread::~EchoServerThread() {
  loop_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();  // the loop thread has ended: safe here
}

}  // namespace sockkit::cli
