// SPDX-License-Identifier: MIT
// ReconnectingClient: a Client whose one connection comes back. It sits
// between the Client and the user's handler, so it sees every open, close and
// byte; attempts, Happy Eyeballs, heartbeats and the retry schedule are timers
// on the same loop.
#include "sockkit/reconnecting_client.hpp"

#include <algorithm>
#include <new>
#include <optional>

#include "net/address_queue.hpp"
#include "net/dispose.hpp"
#include "net/outbox.hpp"
#include "resolve/target.hpp"

namespace sockkit {
namespace net {
namespace {
using std::chrono::milliseconds;

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
    own_resolver_.reset();
  }
  bool busy() const noexcept { return false; }  // never runs the loop itself
  EventLoop& loop() noexcept { return loop_; }

  Status init() noexcept {
    // One slot for each timer named below: a retry can never be refused later.
    auto kept = loop_.reserve_timers(kTimers);
    if (!kept) return kept.error();
    timers_ = std::move(*kept);
    ConnectionLimits limits = settings_.limits;
    if (settings_.idle_timeout.count() > 0) limits.idle_timeout = settings_.idle_timeout;
    auto c = Client::create(loop_, *this, limits);
    if (!c) return c.error();
    client_ = std::move(*c);
    auto target = resolve_detail::parse_target(target_);  // a bad one fails each attempt
    if (target && !target->numeric && !settings_.resolve && settings_.resolver == nullptr) {
      auto r = Resolver::create(loop_);
      if (!r) return r.error();
      own_resolver_ = std::move(*r);
    }
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
    cancel(attempt_timer_);
    cancel(resolution_delay_timer_);
    cancel_lookup();
    client_->cancel_pending();  // Happy Eyeballs losers: their sockets go now
    in_flight_ = 0;
    ++stats_.connects;
    uplinks_failed_ = 0;
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
    use_uplink(0);  // back to the preferred way out, if it works again
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
    if (untried_.any()) {
      cancel(next_address_timer_);
      try_next_address();  // RFC 8305: a failure starts the next address at once
    } else if (in_flight_ == 0 && lookup_done_) {
      round_failed();
    }  // else the other family's answer is still to come
  }

 private:
  enum class State { idle, connecting, connected, waiting, stopped, destroying };

  void start_attempt() noexcept {
    client_->cancel_pending();  // nothing of an earlier round may count in this one
    cancel_lookup();
    state_ = State::connecting;
    ++stats_.attempts;
    ++attempt_;
    untried_.clear();
    in_flight_ = 0;
    started_ = false;
    lookup_done_ = false;
    v6_answered_ = false;
    resolve_error_ = {};
    const bool limited = settings_.connect_timeout.count() >= 0;  // negative: no limit of ours
    if (limited)
      attempt_timer_ = timers_.add_timer(settings_.connect_timeout, [this] {
        attempt_timer_ = 0;
        attempt_timed_out();
      });
    if (settings_.resolve) {
      auto resolved = settings_.resolve();
      return answered(resolved ? *resolved : std::vector<Endpoint>{},
                      resolved ? std::error_code{} : resolved.error());
    }
    auto target = resolve_detail::parse_target(target_);
    if (!target || target->numeric)
      return answered(target ? std::vector<Endpoint>{*target->numeric} : std::vector<Endpoint>{},
                      target ? std::error_code{} : target.error());
    Resolver& resolver = settings_.resolver != nullptr ? *settings_.resolver : *own_resolver_;
    lookup_ = resolver.lookup(target->host, target->port, LookupFamilies::both,
                              limited ? settings_.connect_timeout : std::chrono::minutes(10),
                              [this](const FamilyAnswer& a) { on_answer(a); });
  }

  /// Every address at once (numeric target, or a custom resolve function).
  void answered(const std::vector<Endpoint>& addresses, std::error_code error) noexcept {
    lookup_done_ = true;
    resolve_error_ = error;
    for (const auto& ep : addresses)
      untried_.add(ep);
    if (addresses.empty()) v6_answered_ = true;
    begin_connecting();
  }

  /// One family's answer (RFC 8305 section 3): IPv6 starts connecting at once;
  /// IPv4 first waits resolution_delay for IPv6.
  void on_answer(const FamilyAnswer& a) noexcept {
    if (a.last) {
      lookup_ = 0;
      lookup_done_ = true;
    }
    if (state_ != State::connecting) return;
    if (a.result) {
      for (const auto& r : a.result->addresses)
        untried_.add(r.address);
    } else if (!resolve_error_ || resolve_error_ == failure::no_address) {
      resolve_error_ = a.result.error();
    }
    if (a.family == Family::ipv6) v6_answered_ = true;
    if (!started_) {
      if (untried_.any() && a.family == Family::ipv4 && !v6_answered_ && !lookup_done_) {
        if (resolution_delay_timer_ == 0)
          resolution_delay_timer_ = timers_.add_timer(settings_.resolution_delay, [this] {
            resolution_delay_timer_ = 0;
            if (state_ == State::connecting && !started_) begin_connecting();
          });
        return;
      }
      if (untried_.any() || lookup_done_) begin_connecting();
      return;
    }
    // Connecting already: the late family joins the queue.
    if (untried_.any() && in_flight_ == 0) {
      cancel(next_address_timer_);
      try_next_address();
    } else if (untried_.any() && next_address_timer_ == 0) {
      arm_next_address();
    } else if (!untried_.any() && in_flight_ == 0 && lookup_done_) {
      round_failed();
    }
  }

  void begin_connecting() noexcept {
    started_ = true;
    cancel(resolution_delay_timer_);
    user_.on_connecting(attempt_, untried_.all());
    if (state_ != State::connecting) return;
    if (!untried_.any()) {
      last_error_ = resolve_error_ ? resolve_error_ : make_error_code(failure::no_address);
      return round_failed();
    }
    try_next_address();
    if (state_ == State::connecting && in_flight_ == 0 && !untried_.any() && lookup_done_)
      round_failed();
  }

  void attempt_timed_out() noexcept {
    if (state_ != State::connecting) return;
    const bool resolving = !started_;
    cancel_lookup();
    client_->cancel_pending();
    in_flight_ = 0;
    last_error_ = make_error_code(resolving ? failure::resolve_timeout : failure::connect_timeout);
    if (resolving) {
      started_ = true;
      user_.on_connecting(attempt_, {});
      if (state_ != State::connecting) return;
    }
    round_failed();
  }

  void arm_next_address() noexcept {
    next_address_timer_ = timers_.add_timer(settings_.happy_eyeballs_delay, [this] {
      next_address_timer_ = 0;
      if (state_ == State::connecting) try_next_address();
    });
  }

  void try_next_address() noexcept {
    const ConnectOptions options{
        .via = settings_.uplinks.empty() ? Uplink{} : settings_.uplinks[stats_.uplink],
        .keepalive =
            settings_.keepalive.enabled ? std::optional(settings_.keepalive) : std::nullopt,
        .user_timeout = settings_.user_timeout,
        .tls = settings_.tls,
        .server_name = tls_server_name()};
    while (untried_.any()) {
      const Endpoint to = untried_.pop();
      // No timeout of the connect's own: the attempt's timer ends every connect
      // of the round, and a loop with few timers has none to spare.
      if (auto st = client_->connect(to, milliseconds(-1), options); !st) {
        last_error_ = st.error();
        user_.on_connect_failed(to, st.error());
        if (state_ != State::connecting) return;
        continue;
      }
      ++in_flight_;
      if (untried_.any()) arm_next_address();
      return;
    }
  }

  void cancel_lookup() noexcept {
    if (lookup_ == 0) return;
    Resolver* r = settings_.resolver != nullptr ? settings_.resolver
                                                : (own_resolver_ ? &*own_resolver_ : nullptr);
    if (r != nullptr) r->cancel(lookup_);
    lookup_ = 0;
  }

  void round_failed() noexcept {
    if (state_ == State::stopped || state_ == State::destroying) return;
    const std::size_t ways = settings_.uplinks.size();
    if (ways > 1 && ++uplinks_failed_ < ways) {
      // Fail over at once: the other way out may well work, so no backoff.
      use_uplink((stats_.uplink + 1) % ways);
      end_round();
      state_ = State::waiting;
      user_.on_retry_scheduled(milliseconds(0), attempt_ + 1);
      if (state_ != State::waiting) return;
      retry_timer_ = timers_.add_timer(milliseconds(0), [this] {
        retry_timer_ = 0;
        start_attempt();
      });
      return;
    }
    uplinks_failed_ = 0;
    use_uplink(0);  // every way failed: the next round starts at the preferred one
    ++failures_;
    retry_or_give_up();
  }

  void use_uplink(std::size_t index) noexcept {
    if (index == stats_.uplink) return;
    stats_.uplink = index;
    ++stats_.uplink_switches;
  }

  void end_round() noexcept {
    cancel(attempt_timer_);
    cancel(resolution_delay_timer_);
    cancel(next_address_timer_);
    cancel_lookup();
  }

  void retry_or_give_up() noexcept {
    if (state_ == State::stopped || state_ == State::destroying) return;
    end_round();
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
    retry_timer_ = timers_.add_timer(after, [this] {
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
    ping_timer_ = timers_.add_timer(settings_.heartbeat.interval, [this] {
      ping_timer_ = 0;
      if (conn_ == nullptr) return;
      awaiting_pong_ = true;
      pong_deadline_ = timers_.add_timer(settings_.heartbeat.timeout, [this] {
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
    cancel_lookup();
    cancel(attempt_timer_);
    cancel(resolution_delay_timer_);
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
  std::optional<Client> client_;
  State state_ = State::idle;
  Connection* conn_ = nullptr;
  std::optional<Resolver> own_resolver_;
  Resolver::LookupId lookup_ = 0;
  AddressQueue untried_;  // resolved, not tried yet in this attempt
  bool started_ = false, lookup_done_ = false, v6_answered_ = false;
  std::error_code resolve_error_;
  TimerId attempt_timer_ = 0, resolution_delay_timer_ = 0;
  int in_flight_ = 0;
  unsigned attempt_ = 0, failures_ = 0;
  std::size_t uplinks_failed_ = 0;  // uplinks that failed since the last success or full round
  std::error_code last_error_;
  bool awaiting_pong_ = false;
  EventLoop::Clock::time_point connected_at_{};
  TimerId retry_timer_ = 0, next_address_timer_ = 0, ping_timer_ = 0, pong_deadline_ = 0;
  static constexpr std::size_t kTimers = 6;  // the TimerIds above
  TimerReservation timers_;
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

ReconnectingClient::ReconnectingClient(ReconnectingClient&& other) noexcept = default;

ReconnectingClient& ReconnectingClient::operator=(ReconnectingClient&& other) noexcept {
  return net::move_assign(*this, std::move(other));
}

Result<ReconnectingClient> ReconnectingClient::create(EventLoop& loop, std::string target,
                                                      ReconnectingHandler& handler,
                                                      ClientSettings settings) {
  std::unique_ptr<net::ReconnectingImpl> impl(new (std::nothrow) net::ReconnectingImpl(
      detail::home_loop(loop), std::move(target), handler, std::move(settings)));
  if (!impl) return std::make_error_code(std::errc::not_enough_memory);
  if (auto st = impl->init(); !st) return st.error();
  return ReconnectingClient(std::move(impl));
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
