// SPDX-License-Identifier: MIT
#include "load.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

namespace sockkit::cli {
namespace {

using Clock = std::chrono::steady_clock;

// One worker's share of the load: its connections, its loop (none when it
// busy-polls) and its own result, merged when every worker is done.
struct LoadState {
  EventLoop* loop = nullptr;  // null: busy-poll, no readiness at all
  const LoadSpec* spec = nullptr;
  LoadResult* result = nullptr;
  std::uint64_t max_messages = 0;  // this worker's share of spec->max_messages
  bool running = true;
};

class ActiveConnection final : public IoHandler {
 public:
  ActiveConnection(LoadState& state, TcpStream stream, std::uint64_t id)
      : state_(state),
        stream_(std::move(stream)),
        id_(id),
        sent_at_(static_cast<std::size_t>(state.spec->pipeline)),
        steps_(state.spec->message_size) {
    out_.reserve(state.spec->message_size * static_cast<std::size_t>(state.spec->pipeline));
    for (std::size_t k = 0; k < steps_.size(); ++k)
      steps_[k] = static_cast<std::uint8_t>(pattern(0, 0, k));
  }

  Status start() {
    if (auto st = stream_.set_nonblocking(true); !st) return st;
    (void)stream_.set_no_delay(true);
    if (state_.loop != nullptr)
      if (auto st = state_.loop->watch(stream_.native_handle(), io::readable, this); !st) return st;
    pump();
    return {};
  }
  void stop() {
    if (state_.loop != nullptr) (void)state_.loop->unwatch(stream_.native_handle());
  }

  void on_io(unsigned events) noexcept override {
    if (events & (io::readable | io::error | io::hangup)) receive();
    if (state_.running) pump();
  }

  /// One busy-poll turn: read what has come, refill the pipeline.
  void poll_once() {
    receive();
    if (state_.running) pump();
  }

 private:
  void fail(std::error_code why) {
    if (!state_.result->error) state_.result->error = why;
    finish();
  }
  void finish() {
    state_.running = false;
    if (state_.loop != nullptr) state_.loop->stop();
  }

  // Keeps `pipeline` messages in flight; every message due is written in one send.
  void pump() {
    const auto size = state_.spec->message_size;
    const auto window = static_cast<std::uint64_t>(state_.spec->pipeline);
    if (out_done_ == out_end_) {
      out_done_ = 0;
      const auto now = Clock::now();
      if (state_.spec->discard) {
        // Nobody checks the echo: the first window's bytes are sent again and again.
        if (out_.empty()) out_.resize(size * window);
        out_end_ = static_cast<std::size_t>(window - (queued_ - completed_)) * size;
        for (; queued_ - completed_ < window; ++queued_)
          sent_at_[queued_ % sent_at_.size()] = now;
      } else {
        out_.clear();
        for (; queued_ - completed_ < window; ++queued_) {
          const auto base = static_cast<std::uint8_t>(pattern(id_, queued_, 0));
          const std::size_t at = out_.size();
          out_.resize(at + size);
          for (std::size_t k = 0; k < size; ++k)  // a loop the compiler vectorises
            out_[at + k] = static_cast<std::byte>(base + steps_[k]);
          sent_at_[queued_ % sent_at_.size()] = now;
        }
        out_end_ = out_.size();
      }
    }
    while (out_done_ < out_end_) {
      auto n = stream_.send(std::span(out_).subspan(out_done_, out_end_ - out_done_));
      if (!n) {
        if (n.error() == errc::would_block) return set_writable(true);
        return fail(n.error());
      }
      out_done_ += *n;
    }
    set_writable(false);
  }

  void set_writable(bool on) {
    if (on == writable_ || state_.loop == nullptr) return;
    writable_ = on;
    (void)state_.loop->rewatch(stream_.native_handle(), io::readable | (on ? io::writable : 0u));
  }

  void receive() {
    if (state_.spec->discard) return receive_discarding();
    std::array<std::byte, 64 * 1024> buf;
    const auto size = state_.spec->message_size;
    for (;;) {
      auto n = stream_.receive(buf);
      if (!n) {
        if (n.error() == errc::would_block) return;
        return fail(n.error());
      }
      if (*n == 0) return fail(make_error_code(failure::unexpected_eof));
      // One clock reading per read: every message it completes arrived now.
      const auto now = Clock::now();
      for (std::size_t i = 0; i < *n;) {
        const std::size_t run = std::min(*n - i, size - received_in_message_);
        const auto base = static_cast<std::uint8_t>(pattern(id_, completed_, 0));
        std::size_t wrong = 0;
        for (std::size_t k = 0; k < run; ++k)  // vectorised: byte k of a message is base + 13k
          wrong += static_cast<std::uint8_t>(static_cast<std::uint8_t>(buf[i + k]) - base) !=
                   steps_[received_in_message_ + k];
        state_.result->mismatches += wrong;
        i += run;
        received_in_message_ += run;
        if (received_in_message_ == size) {
          received_in_message_ = 0;
          complete_message(now);
        }
      }
      // A short read emptied the socket: asking again would only say would_block
      // (epoll here is level-triggered and reports what comes later).
      if (*n < buf.size()) return;
    }
  }

  // Counts echoed bytes the kernel throws away: TCP's MSG_TRUNC copies nothing.
  void receive_discarding() {
    const std::size_t size = state_.spec->message_size;
    // MSG_TRUNC on TCP never writes the buffer, but the kernel still checks
    // that it is the caller's memory: untouched pages of zeros in .bss.
    static std::array<std::byte, 1 << 20> sink;
    const std::size_t want =
        std::clamp<std::size_t>(size * sent_at_.size(), 64 * 1024, sink.size());
    for (;;) {
      const ssize_t n =
          ::recv(stream_.native_handle().value, sink.data(), want, MSG_TRUNC | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        return fail(std::error_code(errno, std::system_category()));
      }
      if (n == 0) return fail(make_error_code(failure::unexpected_eof));
      const auto now = Clock::now();
      received_in_message_ += static_cast<std::size_t>(n);
      for (; received_in_message_ >= size; received_in_message_ -= size)
        complete_message(now);
      if (static_cast<std::size_t>(n) < want) return;
    }
  }

  void complete_message(Clock::time_point now) {
    if (state_.running) {
      const auto took = now - sent_at_[completed_ % sent_at_.size()];
      state_.result->latency_ns.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()));
      ++state_.result->messages;
      state_.result->bytes += state_.spec->message_size;
      if (state_.max_messages != 0 && state_.result->messages >= state_.max_messages) finish();
    }
    ++completed_;
  }

  LoadState& state_;
  TcpStream stream_;
  std::uint64_t id_;
  std::vector<std::byte> out_;  // messages written in one send; out_done_ of out_end_ sent
  std::size_t out_done_ = 0, out_end_ = 0;
  std::vector<Clock::time_point> sent_at_;  // ring of send times, one per message in flight
  std::vector<std::uint8_t> steps_;         // byte k of every message, less the message's first
  std::uint64_t queued_ = 0, completed_ = 0;
  std::size_t received_in_message_ = 0;
  bool writable_ = false;
};

// Runs one worker's connections until its duration, its share of messages or
// an error ends it. `progress` only on the first worker.
void run_worker(LoadState& state, std::vector<std::unique_ptr<ActiveConnection>>& active,
                Clock::time_point start, const std::function<void(double)>& progress) {
  const LoadSpec& spec = *state.spec;
  const auto fraction = [&] {
    return std::min(1.0, std::chrono::duration<double>(Clock::now() - start) /
                             std::chrono::duration<double>(spec.duration));
  };
  for (auto& c : active)
    if (auto st = c->start(); !st) {
      state.result->error = st.error();
      return;
    }
  if (state.loop == nullptr) {
    // Busy-poll: no readiness calls, a non-blocking read of every connection
    // in turn; the clock is looked at every 64 turns.
    auto next_progress = start;
    for (std::uint64_t turn = 0; state.running; ++turn) {
      for (auto& c : active)
        c->poll_once();
      if ((turn & 63) != 0) continue;
      const auto now = Clock::now();
      if (now - start >= spec.duration || (spec.cancel && *spec.cancel)) state.running = false;
      if (progress && now >= next_progress) {
        progress(fraction());
        next_progress = now + std::chrono::milliseconds(250);
      }
    }
    return;
  }
  EventLoop& loop = *state.loop;
  loop.add_timer(spec.duration, [&] {
    state.running = false;
    loop.stop();
  });
  if (progress)
    loop.add_repeating_timer(std::chrono::milliseconds(250), [&] { progress(fraction()); });
  if (spec.cancel != nullptr)
    loop.add_repeating_timer(std::chrono::milliseconds(50), [&] {
      if (!*spec.cancel) return;
      state.running = false;
      loop.stop();
    });
  if (auto st = loop.run(); !st && !state.result->error) state.result->error = st.error();
  for (auto& c : active)
    c->stop();
}

}  // namespace

double process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces: count fields after its ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);  // utime, stime
  if (!fields) return -1;
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

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
  if (spec.connections < 1 || spec.pipeline < 1 || spec.message_size < 1 || spec.idle < 0 ||
      spec.threads < 1 || spec.threads > spec.connections)
    return std::make_error_code(std::errc::invalid_argument);
  std::vector<TcpStream> idle;
  for (int i = 0; i < spec.idle; ++i) {
    auto s = TcpStream::connect(spec.target, std::chrono::seconds(10));
    if (!s) return s.error();
    idle.push_back(std::move(*s));
  }
  if (spec.idle > 0) std::this_thread::sleep_for(spec.settle);

  const auto workers = static_cast<std::size_t>(spec.threads);
  std::vector<LoadResult> results(workers);
  std::vector<std::optional<EventLoop>> loops(workers);
  std::vector<LoadState> states(workers);
  std::vector<std::vector<std::unique_ptr<ActiveConnection>>> active(workers);
  for (std::size_t w = 0; w < workers; ++w) {
    if (!spec.busy_poll) {
      auto loop = EventLoop::create({.backend = Backend::epoll});
      if (!loop) return loop.error();
      loops[w] = std::move(*loop);
    }
    const std::uint64_t share = (spec.max_messages + workers - 1) / workers;
    states[w] = {loops[w] ? &*loops[w] : nullptr, &spec, &results[w], share, true};
  }
  for (int i = 0; i < spec.connections; ++i) {
    auto s = TcpStream::connect(spec.target, std::chrono::seconds(10));
    if (!s) return s.error();
    const auto w = static_cast<std::size_t>(i) % workers;
    active[w].push_back(std::make_unique<ActiveConnection>(states[w], std::move(*s), i));
  }
  const double watched_before = spec.watch_pid > 0 ? process_cpu_seconds(spec.watch_pid) : -1;
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w)
    threads.emplace_back([&, w] { run_worker(states[w], active[w], start, nullptr); });
  run_worker(states[0], active[0], start, progress);
  for (auto& t : threads)
    t.join();

  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (watched_before >= 0) {
    const double after = process_cpu_seconds(spec.watch_pid);
    if (after >= 0) result.watched_cpu_seconds = after - watched_before;
  }
  for (const auto& r : results) {
    result.messages += r.messages;
    result.bytes += r.bytes;
    result.mismatches += r.mismatches;
    result.latency_ns.merge(r.latency_ns);
    if (!result.error) result.error = r.error;
  }
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
