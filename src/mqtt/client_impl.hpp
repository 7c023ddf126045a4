// SPDX-License-Identifier: MIT
// mqtt::Client inside: a Session (the protocol, no I/O) on a
// ReconnectingClient's connection, one timer for the session's deadline, and
// the loop's next turn for work asked for from outside a callback. Events
// reach the handler only once the session's state is complete, so any of
// them may destroy the client.
#pragma once

#include <chrono>
#include <optional>

#include "mqtt/session.hpp"
#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt {

namespace detail {
inline constexpr std::size_t kQueueHighMark = 64 << 10;  // stop handing PUBLISH to the socket here
inline constexpr std::size_t kQueueLowMark = 16 << 10;
inline constexpr std::chrono::milliseconds kDisconnectFlush{2000};  // DISCONNECT not drained: close
}  // namespace detail

class ClientImpl : public ReconnectingHandler {
 public:
  ClientImpl(EventLoop& loop, Options settings, Handler& handler)
      : loop_(loop), settings_(std::move(settings)), user_(handler), session_(settings_) {}
  ~ClientImpl() { retire(); }

  Status init();
  void retire() noexcept;
  EventLoop& loop() noexcept { return loop_; }

  void start() noexcept {
    stopping_ = false;
    taken_over_ = false;
    link_->start();
  }
  void stop(UserPropertyStrings user_properties = {}) noexcept;
  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload, QoS qos,
                                bool retain, const PublishProperties& properties) noexcept;
  Status subscribe(std::vector<Subscription> filters) noexcept;
  Status reauthenticate() noexcept;
  Status unsubscribe(std::string_view filter,
                     const UserPropertyStrings& user_properties = {}) noexcept;

  bool connected() const noexcept { return session_.is_connected(); }
  const std::string& client_id() const noexcept { return session_.client_id(); }
  Stats stats() const noexcept { return session_.stats(); }

  // ReconnectingHandler, as the transport's handler.
  void on_open(Connection& c) override;
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override;
  void on_drain(Connection&) override { turn(); }
  void on_close(Connection& c, ErrorCode why) override;
  void on_connect_failed(const Endpoint&, ErrorCode why) override { user_.on_connect_failed(why); }
  void on_given_up(ErrorCode last) override {
    user_.on_given_up(taken_over_ ? make_error_code(reason::session_taken_over) : last);
  }

 private:
  /// Delivers the session's events, then writes what it has to send, then
  /// re-arms the deadline timer. What writing produced is delivered next turn.
  void turn() noexcept;
  /// Lets the session write what is queued, as far as the connection's queue has room.
  void pump_session() noexcept;
  /// turn() from the loop, not from inside the caller's call.
  void turn_soon() noexcept;
  void deliver_events() noexcept;
  void flush() noexcept;
  void arm_deadline() noexcept;
  void finish_stop() noexcept;

  EventLoop& loop_;
  Options settings_;
  Handler& user_;
  Session session_;
  EventBatch batch_;  // events being delivered; kept for its capacity
  std::optional<ReconnectingClient> link_;
  Connection* conn_ = nullptr;
  bool stopping_ = false;
  UserPropertyStrings disconnect_user_properties_;  // MQTT 5, given to stop()
  bool retired_ = false;
  bool taken_over_ = false;                  // stopped because another connection took the session
  static constexpr std::size_t kTimers = 2;  // the Timers below
  SoonId turn_soon_ = 0, stop_soon_ = 0;
  TimerReservation timers_;
  Timer deadline_timer_, stop_timer_;  // after timers_: cancelled before their slots go back
};

}  // namespace sockkit::mqtt

// The facade's pimpl is the MQTT adapter.
struct sockkit::mqtt::Client::Impl final : sockkit::mqtt::ClientImpl {
  using ClientImpl::ClientImpl;
};
