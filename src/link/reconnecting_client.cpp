// SPDX-License-Identifier: MIT
// ReconnectingClient: a small machine over a Dialer, a one-connection Group,
// an uplink rotation and a heartbeat.
//
//   idle --start--> dialing --on_open--> up --on_close--> backoff --timer--> dialing
//                      |                                     ^
//                      +---- dial or handshake failed -------+  (or stopped: given up)
//
// It sits between the Group and the user's handler, so it sees every open,
// close and byte. Each transition changes the state first, then notifies the
// user, then returns; a callback may stop or destroy the client (the memory
// outlives the callback, see loop/dispose.hpp).
#include "sockkit/reconnecting_client.hpp"

#include <new>
#include <optional>

#include "link/dialer.hpp"
#include "link/heartbeat_monitor.hpp"
#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"
#include "net/group.hpp"
#include "net/outbox.hpp"
#include "resolve/target.hpp"
#include "transport/transport.hpp"

namespace sockkit {
namespace link {
namespace {
using std::chrono::milliseconds;
}  // namespace

class ReconnectingImpl : public ConnectionHandler, public DialEvents {
 public:
  ReconnectingImpl(EventLoop& loop, std::string target, ReconnectingHandler& handler,
                   ReconnectingOptions settings)
      : loop_(loop),
        target_(std::move(target)),
        user_(handler),
        settings_(std::move(settings)),
        schedule_(settings_.reconnect, settings_.jitter_seed),
        outbox_(settings_.outbox_limit, settings_.outbox_overflow),
        group_(loop, *this, limits_of(settings_)),
        dialer_(loop, *this, &timers_) {}

  ~ReconnectingImpl() { retire(); }

  /// Stops for good: nothing calls back afterwards.
  void retire() noexcept {
    state_ = State::stopped;
    conn_ = nullptr;
    dialer_.cancel();
    cancel_timers();
    group_.retire();
    own_resolver_.reset();
  }
  EventLoop& loop() noexcept { return loop_; }

  Status init() noexcept {
    // One slot for each timer named below and the dialer's: a retry can never be refused later.
    auto kept = loop_.reserve_timers(kTimers);
    if (!kept) return kept.error();
    timers_ = std::move(*kept);
    if (auto st = group_.start(); !st) return st;
    auto target = resolve_detail::parse_target(dial_target());  // a bad one fails each attempt
    if (target && !target->numeric && !settings_.resolve && settings_.resolver == nullptr) {
      auto r = Resolver::create(loop_);
      if (!r) return r.error();
      own_resolver_ = std::move(*r);
    }
    return {};
  }

  void start() noexcept {
    if (state_ == State::idle) dial();
  }

  void stop() noexcept {
    if (state_ == State::stopped) return;
    state_ = State::stopped;
    dialer_.cancel();
    cancel_timers();
    if (Connection* shaking = group_.find(handshaking_)) shaking->close(failure::stopped);
    if (conn_ != nullptr) conn_->close(make_error_code(failure::stopped));
    user_.on_given_up(make_error_code(failure::stopped));
  }

  Status send(std::span<const std::byte> message) noexcept {
    if (conn_ != nullptr && outbox_.empty()) {
      auto st = conn_->send(message);
      if (st || classify(st.error()) != errc::limit_exceeded) return st;
      // The connection's own queue is full: wait in the outbox for on_drain.
    }
    const net::Outbox::Dropped dropped = outbox_.push(message);
    if (dropped.messages > 0) {
      stats_.dropped_messages += dropped.messages;
      stats_.dropped_bytes += dropped.bytes;
      user_.on_outbox_drop(dropped.messages, dropped.bytes);
    }
    if (dropped.refused_new) return failure::outbox_full;
    return {};
  }

  void heartbeat_answered() noexcept {
    if (heartbeat_.answered(loop_.now())) schedule_heartbeat();
  }

  Connection* connection() const noexcept { return conn_; }
  ReconnectingStats stats() const noexcept {
    ReconnectingStats s = stats_;
    s.outbox_bytes = outbox_.bytes();
    s.outbox_messages = outbox_.messages();
    return s;
  }

  // DialEvents: the attempt's resolution and TCP connects.
  void dial_begun(const std::vector<Endpoint>& addresses) override {
    user_.on_connecting(attempt_, addresses);
  }
  void dial_attempt_failed(const Endpoint& to, ErrorCode why) override {
    reported_ = last_error_ = why;
    user_.on_connect_failed(to, why);
  }
  void dial_connected(TcpStream&& stream, const Endpoint& to,
                      EventLoop::Clock::time_point deadline) override {
    const std::string name = tls_server_name();
    // Without the web transports built (create() refused them), none of this is linked.
    const bool web = SOCKKIT_WEBSOCKET && (settings_.websocket || settings_.proxy);
    const WebSocketOptions* ws = web && settings_.websocket ? &*settings_.websocket : nullptr;
    std::string host;
    if (ws != nullptr && ws->host.empty())
      host = transport::websocket_host(target_, !!settings_.tls);
    const net::SessionStart start{
        .context = settings_.tls,
        .server_name = name,
        .web_layers = web ? &transport::add_web_layers : nullptr,
        .web = {.websocket = ws,
                .websocket_host = host,
                .proxy = web && settings_.proxy ? &*settings_.proxy : nullptr,
                .tunnel_target = target_},
        .connect_target = to,
        .deadline = deadline};
    const bool layered = settings_.tls || start.web_layers != nullptr;
    auto c = group_.adopt(std::move(stream), layered ? &start : nullptr);
    if (!c) return on_connect_failed(to, c.error());
    if (state_ == State::dialing && conn_ == nullptr)
      handshaking_ = (*c)->id();  // TLS or WebSocket: on_open follows
  }
  void dial_failed(ErrorCode why) override {
    last_error_ = why;
    // Resolution, the deadline, or no address at all: not reported per address yet.
    if (why != reported_) user_.on_connect_failed(Endpoint{}, why);
    if (state_ == State::dialing) round_failed();
  }

  // ConnectionHandler, as the Group's handler.
  void on_open(Connection& c) override {
    handshaking_ = 0;
    if (state_ != State::dialing || conn_ != nullptr) return c.close();  // stopped meanwhile
    conn_ = &c;
    state_ = State::up;
    ++stats_.connects;
    uplinks_failed_ = 0;
    connected_at_ = EventLoop::Clock::now();
    heartbeat_.up(loop_.now());
    schedule_heartbeat();
    user_.on_open(c);
    flush_outbox();  // after the user's first words (an MQTT CONNECT)
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

  void on_close(Connection& c, ErrorCode why) override {
    if (&c != conn_) return;
    if (!why) why = make_error_code(failure::closed_by_peer);  // a disconnect always has a reason
    conn_ = nullptr;
    heartbeat_.down();
    heartbeat_timer_.cancel();
    ++stats_.disconnects;
    last_error_ = why;
    use_uplink(0);  // back to the preferred way out, if it works again
    if (EventLoop::Clock::now() - connected_at_ >= settings_.reconnect.reset_after) {
      schedule_.reset();  // it stayed up: start over at `initial`
      failures_ = 0;
    }
    if (state_ != State::up) return user_.on_close(c, why);  // stopped: no retry
    const unsigned max = settings_.reconnect.max_attempts;
    const bool give_up = max != 0 && failures_ >= max;
    if (give_up)
      state_ = State::stopped;
    else
      schedule_retry(schedule_.next());
    user_.on_close(c, why);
    if (give_up) return user_.on_given_up(last_error_);
    if (state_ == State::backoff) user_.on_retry_scheduled(retry_after_, attempt_ + 1);
  }

  /// The TLS handshake of the attempt's connection failed (or timed out at the deadline).
  void on_connect_failed(const Endpoint& to, ErrorCode why) override {
    handshaking_ = 0;
    if (state_ != State::dialing) return;
    reported_ = last_error_ = why;
    user_.on_connect_failed(to, why);
    if (state_ == State::dialing) round_failed();
  }

 private:
  enum class State { idle, dialing, up, backoff, stopped };
  static constexpr std::size_t kTimers = 3;  // the dialer's, retry, heartbeat

  static ConnectionOptions limits_of(const ReconnectingOptions& s) {
    ConnectionOptions limits = s.limits;
    if (s.idle_timeout.count() > 0) limits.idle_timeout = s.idle_timeout;
    return limits;
  }

  void dial() noexcept {
    state_ = State::dialing;
    ++stats_.attempts;
    ++attempt_;
    reported_ = {};
    const DialRequest request{
        .target = std::string(dial_target()),
        .timeout = settings_.connect_timeout,
        .options = {.via = settings_.uplinks.empty() ? Uplink{} : settings_.uplinks[stats_.uplink],
                    .keepalive = settings_.keepalive.enabled ? std::optional(settings_.keepalive)
                                                             : std::nullopt,
                    .user_timeout = settings_.user_timeout},
        .timings = {.resolution_delay = settings_.resolution_delay,
                    .attempt_delay = settings_.happy_eyeballs_delay},
        .resolver = settings_.resolver != nullptr ? settings_.resolver
                                                  : (own_resolver_ ? &*own_resolver_ : nullptr),
        .resolve = settings_.resolve};
    if (auto st = dialer_.start(request); !st) {  // a target that can never be dialled
      dial_begun({});
      if (state_ == State::dialing) dial_failed(st.error());
    }
  }

  void round_failed() noexcept {
    const std::size_t ways = settings_.uplinks.size();
    if (ways > 1 && ++uplinks_failed_ < ways) {
      // Fail over at once: the other way out may well work, so no backoff.
      use_uplink((stats_.uplink + 1) % ways);
      schedule_retry(milliseconds(0));
    } else {
      uplinks_failed_ = 0;
      use_uplink(0);  // every way failed: the next round starts at the preferred one
      ++failures_;
      const unsigned max = settings_.reconnect.max_attempts;
      if (max != 0 && failures_ >= max) {
        state_ = State::stopped;
        return user_.on_given_up(last_error_);
      }
      schedule_retry(schedule_.next());
    }
    user_.on_retry_scheduled(retry_after_, attempt_ + 1);
  }

  void schedule_retry(milliseconds after) noexcept {
    state_ = State::backoff;
    retry_after_ = after;
    retry_timer_.arm(timers_, after, [this] { dial(); });
  }

  void use_uplink(std::size_t index) noexcept {
    if (index == stats_.uplink) return;
    stats_.uplink = index;
    ++stats_.uplink_switches;
  }

  void flush_outbox() noexcept {
    while (conn_ != nullptr && !outbox_.empty()) {
      if (!conn_->send(outbox_.front())) return;  // queue full: on_drain resumes
      outbox_.pop();
    }
  }

  // One timer at the monitor's next deadline; what is due there is its call.
  void schedule_heartbeat() noexcept {
    heartbeat_timer_.cancel();
    const auto at = heartbeat_.next_deadline();
    if (!at || conn_ == nullptr) return;
    const auto wait = std::chrono::ceil<milliseconds>(*at - loop_.now());
    heartbeat_timer_.arm(timers_, wait, [this] {
      if (conn_ == nullptr) return;
      switch (heartbeat_.on_time(loop_.now())) {
        case HeartbeatMonitor::Due::nothing:
          return schedule_heartbeat();
        case HeartbeatMonitor::Due::ping:
          schedule_heartbeat();
          return user_.on_heartbeat(*conn_);
        case HeartbeatMonitor::Due::dead:
          return conn_->close(make_error_code(failure::heartbeat_timeout));
      }
    });
  }

  void cancel_timers() noexcept {
    retry_timer_.cancel();
    heartbeat_timer_.cancel();
  }

  // Where each attempt connects: the target, or the proxy that tunnels to it.
  std::string_view dial_target() const noexcept {
    return settings_.proxy ? std::string_view(settings_.proxy->address) : std::string_view(target_);
  }

  // The host part of "host:port" or "[v6]:port": the name a certificate must carry.
  std::string tls_server_name() const {
    if (!settings_.tls) return {};
    if (!settings_.tls_server_name.empty()) return settings_.tls_server_name;
    std::string_view t = target_;
    if (t.starts_with('[')) return std::string(t.substr(1, t.find(']') - 1));
    return std::string(t.substr(0, t.rfind(':')));
  }

  EventLoop& loop_;
  std::string target_;
  ReconnectingHandler& user_;
  ReconnectingOptions settings_;
  BackoffSchedule schedule_;
  net::Outbox outbox_;
  TimerReservation timers_;  // before the dialer and the timers, which take their slots from it
  Timer retry_timer_, heartbeat_timer_;
  net::Group group_;
  Dialer dialer_;
  std::optional<Resolver> own_resolver_;
  State state_ = State::idle;
  Connection* conn_ = nullptr;
  Connection::Id handshaking_ = 0;  // the attempt's connection while its TLS handshake runs
  unsigned attempt_ = 0, failures_ = 0;
  std::size_t uplinks_failed_ = 0;  // uplinks that failed since the last success or full round
  ErrorCode last_error_, reported_;
  milliseconds retry_after_{0};
  HeartbeatMonitor heartbeat_{settings_.heartbeat};
  EventLoop::Clock::time_point connected_at_{};
  ReconnectingStats stats_;
};

}  // namespace link

// The facade's pimpl is the link layer's machine.
struct ReconnectingClient::Impl final : link::ReconnectingImpl {
  using ReconnectingImpl::ReconnectingImpl;
};

ReconnectingClient::ReconnectingClient(std::unique_ptr<Impl> impl) noexcept
    : impl_(std::move(impl)) {}
ReconnectingClient::~ReconnectingClient() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop();  // before impl_ is moved from
  loop::dispose(loop, std::move(impl_));
}

ReconnectingClient::ReconnectingClient(ReconnectingClient&& other) noexcept = default;

ReconnectingClient& ReconnectingClient::operator=(ReconnectingClient&& other) noexcept {
  return loop::move_assign(*this, std::move(other));
}

Result<ReconnectingClient> ReconnectingClient::create(EventLoop& loop, std::string target,
                                                      ReconnectingHandler& handler,
                                                      ReconnectingOptions settings) {
  if (settings.websocket)
    if (auto st = check_websocket_options(*settings.websocket); !st) return st.error();
  if (settings.proxy)
    if (auto st = check_http_proxy(*settings.proxy); !st) return st.error();
  std::unique_ptr<Impl> impl(new (std::nothrow) Impl(
      loop::LoopAccess::home(loop), std::move(target), handler, std::move(settings)));
  if (!impl) return make_error(std::errc::not_enough_memory);
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
ReconnectingStats ReconnectingClient::stats() const noexcept {
  return impl_->stats();
}

}  // namespace sockkit
