// ReconnectingClient: a Client whose one connection comes back. It sits
// between the Client and the user's handler, so it sees every open, close and
// byte; attempts, Happy Eyeballs, heartbeats and the retry schedule are timers
// on the same loop.
#include "sockkit/reconnecting_client.hpp"

#include <algorithm>
#include <new>

#include "net/dispose.hpp"
#include "net/outbox.hpp"

namespace sockkit {
namespace net {
namespace {
using std::chrono::milliseconds;

// RFC 8305 section 4: alternate address families, starting with the first
// one the resolver gave (IPv6 first when it prefers IPv6).
std::vector<Endpoint> interleave(const std::vector<Endpoint>& resolved) {
  if (resolved.empty()) return {};
  const Family first = resolved.front().family();
  std::vector<Endpoint> a, b, out;
  for (const auto& ep : resolved)
    (ep.family() == first ? a : b).push_back(ep);
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size()) out.push_back(a[i]);
    if (i < b.size()) out.push_back(b[i]);
  }
  return out;
}
}  // namespace

class ReconnectingImpl final : public ConnectionHandler {
 public:
  ReconnectingImpl(EventLoop& loop, std::string target, ReconnectingHandler& handler,
                   ClientSettings settings)
      : loop_(loop),
        target_(std::move(target)),
        user_(handler),
        settings_(std::move(settings)),
        schedule_(settings_.reconnect, settings_.jitter_seed),
        outbox_(settings_.outbox_limit, settings_.outbox_overflow) {}

  ~ReconnectingImpl() { retire(); }

  /// Stops for good: timers cancelled, the Client retired; no callback follows.
  void retire() noexcept {
    state_ = State::destroying;  // the Client's teardown reaches no user callback
    conn_ = nullptr;
    cancel_timers();
    client_.reset();
  }
  bool busy() const noexcept { return false; }  // never runs the loop itself
  EventLoop& loop() noexcept { return loop_; }

  Status init() noexcept {
    ConnectionLimits limits = settings_.limits;
    if (settings_.idle_timeout.count() > 0) limits.idle_timeout = settings_.idle_timeout;
    auto c = Client::create(loop_, *this, limits);
    if (!c) return c.error();
    client_ = std::move(*c);
    return {};
  }

  void start() noexcept {
    if (state_ != State::idle) return;
    start_attempt();
  }

  void stop() noexcept {
    if (state_ == State::stopped || state_ == State::destroying) return;
    state_ = State::stopped;
    cancel_timers();
    if (conn_ != nullptr) conn_->close(make_error_code(failure::stopped));
    user_.on_given_up(make_error_code(failure::stopped));
  }

  Status send(std::span<const std::byte> message) noexcept {
    if (conn_ != nullptr && outbox_.empty()) {
      auto st = conn_->send(message);
      if (st || classify(st.error()) != errc::limit_exceeded) return st;
      // The connection's own queue is full: wait in the outbox for on_drain.
    }
    const Outbox::Dropped dropped = outbox_.push(message);
    if (dropped.messages > 0) {
      stats_.dropped_messages += dropped.messages;
      stats_.dropped_bytes += dropped.bytes;
      user_.on_outbox_drop(dropped.messages, dropped.bytes);
    }
    if (dropped.refused_new) return failure::outbox_full;
    return {};
  }

  void heartbeat_answered() noexcept {
    if (!awaiting_pong_) return;
    awaiting_pong_ = false;
    cancel(pong_deadline_);
    arm_ping();
  }

  Connection* connection() const noexcept { return conn_; }
  ClientStats stats() const noexcept {
    ClientStats s = stats_;
    s.outbox_bytes = outbox_.bytes();
    s.outbox_messages = outbox_.messages();
    return s;
  }

  // ConnectionHandler, as the Client's handler.
  void on_open(Connection& c) override {
    if (state_ != State::connecting || conn_ != nullptr) {
      c.close();  // lost the Happy Eyeballs race, or stopped meanwhile
      return;
    }
    conn_ = &c;
    state_ = State::connected;
    cancel(next_address_timer_);
    client_->cancel_pending();  // Happy Eyeballs losers: their sockets go now
    in_flight_ = 0;
    ++stats_.connects;
    connected_at_ = EventLoop::Clock::now();
    user_.on_open(c);
    if (state_ != State::connected) return;  // the handler stopped or destroyed us
    flush_outbox();
    arm_ping();
  }

  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override {
    if (&c != conn_) return data.size();
    if (settings_.heartbeat.any_data_answers) heartbeat_answered();
    return user_.on_data(c, data);
  }

  void on_peer_closed(Connection& c) override {
    if (&c == conn_) user_.on_peer_closed(c);
  }
  void on_high_watermark(Connection& c) override {
    if (&c == conn_) user_.on_high_watermark(c);
  }
  void on_drain(Connection& c) override {
    if (&c != conn_) return;
    user_.on_drain(c);
    flush_outbox();
  }

  void on_close(Connection& c, std::error_code why) override {
    if (&c != conn_ || state_ == State::destroying) return;
    if (!why) why = make_error_code(failure::closed_by_peer);  // a disconnect always has a reason
    conn_ = nullptr;
    awaiting_pong_ = false;
    cancel(ping_timer_);
    cancel(pong_deadline_);
    ++stats_.disconnects;
    last_error_ = why;
    user_.on_close(c, why);
    if (EventLoop::Clock::now() - connected_at_ >= settings_.reconnect.reset_after) {
      schedule_.reset();  // it stayed up: start over at `initial`
      failures_ = 0;
    }
    if (state_ == State::connected) retry_or_give_up();
  }

  void on_connect_failed(const Endpoint& to, std::error_code why) override {
    if (state_ != State::connecting) return;
    --in_flight_;
    last_error_ = why;
    user_.on_connect_failed(to, why);
    if (state_ != State::connecting) return;  // the handler stopped us
    if (next_address_ < addresses_.size()) {
      cancel(next_address_timer_);
      try_next_address();  // RFC 8305: a failure starts the next address at once
    } else if (in_flight_ == 0) {
      round_failed();
    }
  }

 private:
  enum class State { idle, connecting, connected, waiting, stopped, destroying };

  void start_attempt() noexcept {
    client_->cancel_pending();  // nothing of an earlier round may count in this one
    state_ = State::connecting;
    ++stats_.attempts;
    ++attempt_;
    auto resolved = settings_.resolve ? settings_.resolve() : resolve(target_);
    addresses_ = resolved ? interleave(*resolved) : std::vector<Endpoint>{};
    next_address_ = 0;
    in_flight_ = 0;
    user_.on_connecting(attempt_, addresses_);
    if (state_ != State::connecting) return;
    if (!resolved) {
      last_error_ = resolved.error();
      return round_failed();
    }
    try_next_address();
    if (state_ == State::connecting && in_flight_ == 0) round_failed();
  }

  void try_next_address() noexcept {
    const ConnectOptions options{.keepalive = settings_.keepalive.enabled
                                                  ? std::optional(settings_.keepalive)
                                                  : std::nullopt,
                                 .user_timeout = settings_.user_timeout,
                                 .tls = settings_.tls,
                                 .server_name = tls_server_name()};
    while (next_address_ < addresses_.size()) {
      const Endpoint to = addresses_[next_address_++];
      if (auto st = client_->connect(to, settings_.connect_timeout, options); !st) {
        last_error_ = st.error();
        user_.on_connect_failed(to, st.error());
        if (state_ != State::connecting) return;
        continue;
      }
      ++in_flight_;
      if (next_address_ < addresses_.size())
        next_address_timer_ = loop_.add_timer(settings_.happy_eyeballs_delay, [this] {
          next_address_timer_ = 0;
          if (state_ == State::connecting) try_next_address();
        });
      return;
    }
  }

  void round_failed() noexcept {
    ++failures_;
    retry_or_give_up();
  }

  void retry_or_give_up() noexcept {
    if (state_ == State::stopped || state_ == State::destroying) return;
    const unsigned max = settings_.reconnect.max_attempts;
    if (max != 0 && failures_ >= max) {
      state_ = State::stopped;
      user_.on_given_up(last_error_);
      return;
    }
    const milliseconds after = schedule_.next();
    state_ = State::waiting;
    user_.on_retry_scheduled(after, attempt_ + 1);
    if (state_ != State::waiting) return;
    retry_timer_ = loop_.add_timer(after, [this] {
      retry_timer_ = 0;
      start_attempt();
    });
  }

  void flush_outbox() noexcept {
    while (conn_ != nullptr && !outbox_.empty()) {
      if (!conn_->send(outbox_.front())) return;  // queue full: on_drain resumes
      outbox_.pop();
    }
  }

  void arm_ping() noexcept {
    if (settings_.heartbeat.interval.count() <= 0 || conn_ == nullptr) return;
    cancel(ping_timer_);
    ping_timer_ = loop_.add_timer(settings_.heartbeat.interval, [this] {
      ping_timer_ = 0;
      if (conn_ == nullptr) return;
      awaiting_pong_ = true;
      pong_deadline_ = loop_.add_timer(settings_.heartbeat.timeout, [this] {
        pong_deadline_ = 0;
        if (conn_ != nullptr && awaiting_pong_)
          conn_->close(make_error_code(failure::heartbeat_timeout));
      });
      user_.on_heartbeat(*conn_);
    });
  }

  void cancel(TimerId& id) noexcept {
    if (id != 0) loop_.cancel_timer(id);
    id = 0;
  }
  void cancel_timers() noexcept {
    cancel(retry_timer_);
    cancel(next_address_timer_);
    cancel(ping_timer_);
    cancel(pong_deadline_);
  }

  EventLoop& loop_;
  std::string target_;

  // The host part of "host:port" or "[v6]:port": the name a certificate must carry.
  std::string tls_server_name() const {
    if (!settings_.tls) return {};
    if (!settings_.tls_server_name.empty()) return settings_.tls_server_name;
    std::string_view t = target_;
    if (t.starts_with('[')) return std::string(t.substr(1, t.find(']') - 1));
    return std::string(t.substr(0, t.rfind(':')));
  }
  ReconnectingHandler& user_;
  ClientSettings settings_;
  BackoffSchedule schedule_;
  Outbox outbox_;
  std::unique_ptr<Client> client_;
  State state_ = State::idle;
  Connection* conn_ = nullptr;
  std::vector<Endpoint> addresses_;
  std::size_t next_address_ = 0;
  int in_flight_ = 0;
  unsigned attempt_ = 0, failures_ = 0;
  std::error_code last_error_;
  bool awaiting_pong_ = false;
  EventLoop::Clock::time_point connected_at_{};
  TimerId retry_timer_ = 0, next_address_timer_ = 0, ping_timer_ = 0, pong_deadline_ = 0;
  ClientStats stats_;
};

}  // namespace net

ReconnectingClient::ReconnectingClient(std::unique_ptr<net::ReconnectingImpl> impl) noexcept
    : impl_(std::move(impl)) {}
ReconnectingClient::~ReconnectingClient() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop();  // before impl_ is moved from
  net::dispose(loop, std::move(impl_));
}

Result<std::unique_ptr<ReconnectingClient>> ReconnectingClient::create(EventLoop& loop,
                                                                       std::string target,
                                                                       ReconnectingHandler& handler,
                                                                       ClientSettings settings) {
  std::unique_ptr<net::ReconnectingImpl> impl(new (std::nothrow) net::ReconnectingImpl(
      loop, std::move(target), handler, std::move(settings)));
  if (!impl) return std::make_error_code(std::errc::not_enough_memory);
  if (auto st = impl->init(); !st) return st.error();
  std::unique_ptr<ReconnectingClient> client(new (std::nothrow)
                                                 ReconnectingClient(std::move(impl)));
  if (!client) return std::make_error_code(std::errc::not_enough_memory);
  return client;
}

void ReconnectingClient::start() noexcept {
  impl_->start();
}
void ReconnectingClient::stop() noexcept {
  impl_->stop();
}
Status ReconnectingClient::send(std::span<const std::byte> message) noexcept {
  return impl_->send(message);
}
Status ReconnectingClient::send(std::string_view message) noexcept {
  return impl_->send(std::as_bytes(std::span(message.data(), message.size())));
}
void ReconnectingClient::heartbeat_answered() noexcept {
  impl_->heartbeat_answered();
}
Connection* ReconnectingClient::connection() const noexcept {
  return impl_->connection();
}
ClientStats ReconnectingClient::stats() const noexcept {
  return impl_->stats();
}

}  // namespace sockkit
