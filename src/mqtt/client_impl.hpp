// SPDX-License-Identifier: MIT
// The MQTT client's state, shared by its two files: client.cpp (the
// connection: CONNECT and CONNACK, what arrives, keepalive, subscriptions,
// stop) and session.cpp (the publications: the outbox's exchange with the
// broker both ways, the in-flight window, retransmission after a reconnect).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqtt/codec.hpp"
#include "mqtt/outbox.hpp"
#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt {

using std::chrono::milliseconds;
using Clock = EventLoop::Clock;
using codec::PacketType;
using detail::Pending;
using Stage = Pending::Stage;

namespace detail {
inline constexpr std::uint16_t kMaxAliasesOut = 32;      // topics we alias toward the broker
inline constexpr std::size_t kQueueHighMark = 64 << 10;  // stop handing PUBLISH to the socket here
inline constexpr std::size_t kQueueLowMark = 16 << 10;
inline constexpr milliseconds kDisconnectFlush{2000};  // DISCONNECT written, not drained: close

/// A reason code as an error (success codes, below 0x80, as none).
inline std::error_code code_of(std::uint8_t reason_code) noexcept {
  return reason_code < 0x80 ? std::error_code{} : make_error_code(static_cast<reason>(reason_code));
}
}  // namespace detail

class ClientImpl final : public ReconnectingHandler {
 public:
  ClientImpl(EventLoop& loop, Settings settings, Handler& handler)
      : loop_(loop),
        settings_(std::move(settings)),
        user_(handler),
        outbox_(settings_.outbox_bytes, settings_.outbox_messages, settings_.outbox_overflow,
                settings_.store),
        client_id_(settings_.client_id),
        keepalive_(settings_.keepalive) {}
  ~ClientImpl() { retire(); }

  Status init();

  void retire() noexcept;
  bool busy() const noexcept { return false; }
  EventLoop& loop() noexcept { return loop_; }

  void start() noexcept {
    stopping_ = false;
    link_->start();
  }

  void stop() noexcept;

  void finish_stop() noexcept;

  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload, QoS qos,
                                bool retain) noexcept;

  Status subscribe(std::vector<Subscription> filters) noexcept;

  Status unsubscribe(std::string_view filter) noexcept;

  bool connected() const noexcept { return phase_ == Phase::connected; }
  const std::string& client_id() const noexcept { return client_id_; }
  Stats stats() const noexcept {
    Stats s = stats_;
    s.outbox_messages = outbox_.messages().size();
    s.outbox_bytes = outbox_.bytes();
    s.inflight = outbox_.inflight();
    return s;
  }

  // ReconnectingHandler, as the transport's handler.
  void on_open(Connection& c) override;

  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override;

  void on_drain(Connection&) override { pump(); }

  void on_close(Connection& c, std::error_code why) override;

  void on_connect_failed(const Endpoint&, std::error_code why) override;
  void on_given_up(std::error_code last) override { user_.on_given_up(last); }

 private:
  enum class Phase : std::uint8_t { offline, awaiting_connack, connected };
  struct Request {
    std::uint16_t packet_id = 0;
    bool subscribe = true;
    std::vector<Subscription> asked;  // for UNSUBSCRIBE: one, its filter
  };

  std::span<std::byte> scratch(std::size_t at_least);

  void send(std::size_t n) noexcept;

  void cancel(TimerId& id) noexcept {
    if (id != 0) loop_.cancel_timer(id);
    id = 0;
  }
  void cancel_soon(SoonId& id) noexcept {
    if (id != 0) loop_.cancel_soon(id);
    id = 0;
  }
  void cancel_timers() noexcept;

  std::error_code unexpected() noexcept { return make_error_code(reason::unexpected_packet); }

  std::error_code handle(const codec::FixedHeader& h, std::span<const std::byte> body);

  std::error_code on_connack(const codec::Connack& ack);

  /// The broker kept the session: what was in flight goes again, in order.
  void resume();

  /// A new session: messages start over, QoS 2 ones the broker had taken are
  /// reported, subscriptions are made again.
  void start_fresh_session();

  void schedule_pump();
  /// Counts drops now; the handler hears of them from the loop.
  void report_dropped(std::size_t messages, std::size_t bytes);

  /// Hands queued messages to the socket, in order, within the window.
  void pump();

  void write_publish(const Pending& m, bool dup);

  /// A publication is done (acknowledged, written, or refused).
  void complete(std::size_t index, std::error_code result);

  std::error_code on_ack(PacketType type, const codec::Ack& ack);

  std::error_code on_publish(const codec::FixedHeader& h, std::span<const std::byte> body);

  std::error_code deliver(std::string_view topic, const codec::Publish& p);

  std::error_code on_suback(const codec::Suback& ack);

  void send_subscribe(const std::vector<Subscription>& filters);

  void send_unsubscribe(std::string filter);

  std::uint16_t next_packet_id() noexcept;

  /// PINGREQ when nothing was sent or nothing was received for the keepalive;
  /// no answer within half of it: the broker is dead (1.5 x keepalive at most).
  void arm_keepalive();

  void check_keepalive();

  EventLoop& loop_;
  Settings settings_;
  Handler& user_;
  std::optional<ReconnectingClient> link_;
  detail::Outbox outbox_;
  std::vector<Subscription> subscriptions_;
  std::vector<Request> requests_;  // unanswered SUBSCRIBE / UNSUBSCRIBE
  std::vector<Request> unsent_;    // asked for, not sent yet (packet id 0)
  std::pair<std::size_t, std::size_t> unreported_drops_{0, 0};  // messages, bytes
  std::vector<std::uint16_t> incoming_qos2_;                    // PUBREC sent, PUBREL awaited
  std::vector<std::string> aliases_in_;
  std::vector<std::string> aliases_out_;
  std::vector<std::byte> scratch_;  // every packet is written here, then copied to the socket
  std::string client_id_;
  Connection* conn_ = nullptr;
  Phase phase_ = Phase::offline;
  bool stopping_ = false;
  bool retired_ = false;
  bool ping_outstanding_ = false;
  bool retain_available_ = true;
  std::uint8_t broker_max_qos_ = 2;
  std::uint16_t send_window_ = 1;
  std::uint16_t alias_limit_ = 0;
  std::uint16_t next_packet_id_ = 1;
  std::uint32_t broker_max_packet_ = codec::kMaxRemainingLength;
  std::chrono::milliseconds keepalive_;
  Clock::time_point last_sent_{}, last_received_{}, ping_deadline_{};
  TimerId connack_timer_ = 0, keepalive_timer_ = 0, stop_timer_ = 0;
  static constexpr std::size_t kTimers = 3;  // the TimerIds above
  // Work for the loop's next turn, never done inside the caller's call.
  SoonId pump_soon_ = 0, stop_soon_ = 0, drop_soon_ = 0;
  TimerReservation timers_;
  Stats stats_;
};

}  // namespace sockkit::mqtt
