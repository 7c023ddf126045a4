// SPDX-License-Identifier: MIT
// One MQTT session with no I/O and no event loop: bytes in (receive), bytes
// out (output), the time in (advance), the next moment that matters out
// (next_deadline), and what happened as an ordered list of events. The state
// is complete before any event is read, so whoever delivers the events may be
// destroyed by any of them. mqtt::Client drives one on a connection
// (client.cpp); tests drive it with a fake clock (tests/unit/).
//
//   Session s(settings);
//   s.connected(now);                // CONNECT is in s.output()
//   s.receive(connack_bytes, now);   // events: connected
//   s.publish("meter/1", bytes, QoS::at_least_once, false);
//   s.pump(64 << 10, now);           // PUBLISH is in s.output()
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "mqtt/codec.hpp"
#include "mqtt/outbox.hpp"
#include "sockkit/clock.hpp"
#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt {

using SessionClock = LoopClock;

namespace detail {
inline constexpr std::uint16_t kMaxAliasesOut = 32;  // topics we alias toward the broker

/// A reason code as an error (success codes, below 0x80, as none).
inline ErrorCode code_of(std::uint8_t reason_code) noexcept {
  return reason_code < 0x80 ? ErrorCode{} : make_error_code(static_cast<reason>(reason_code));
}
}  // namespace detail

/// Something the application must hear of, in the order it happened.
struct SessionEvent {
  enum class Kind : std::uint8_t { connected, message, published, subscribed, dropped, reply };
  Kind kind;
  bool session_present = false;  ///< connected
  std::uint64_t id = 0;          ///< published: the publish() id
  ErrorCode result{};            ///< published
  std::size_t messages = 0;      ///< dropped
  std::size_t bytes = 0;         ///< dropped
  /// message: topic and payload at these offsets of EventBatch::bytes.
  std::size_t topic_at = 0, topic_size = 0, payload_at = 0, payload_size = 0;
  /// message, MQTT 5: its property block (with its length) at this offset.
  std::size_t properties_at = 0, properties_size = 0;
  QoS qos = QoS::at_most_once;   ///< message
  bool retain = false;           ///< message
  bool duplicate = false;        ///< message
  std::size_t subscription = 0;  ///< subscribed: index in EventBatch::subscriptions
  Reply::Packet packet{};        ///< reply (its id and result in `id` and `result`)
};

/// Events taken out of a session, with the bytes and results they refer to.
struct EventBatch {
  struct Subscribed {
    std::vector<Subscription> asked;
    std::vector<ErrorCode> results;
  };
  std::vector<SessionEvent> events;
  std::vector<std::byte> bytes;  // messages' topics and payloads
  std::vector<Subscribed> subscriptions;
  void clear() noexcept {
    events.clear();
    bytes.clear();
    subscriptions.clear();
  }
  /// The message of a `message` event, pointing into `bytes`.
  Message message(const SessionEvent& e) const noexcept;
  /// The reply of a `reply` event, pointing into `bytes`.
  Reply reply(const SessionEvent& e) const noexcept;
};

class Session {
 public:
  /// `settings` must outlive the session (the client that drives it holds them).
  explicit Session(const Options& settings);

  /// Reads the message store (if any) into the outbox.
  Status restore();

  // The connection.
  /// The transport is up: CONNECT is written; CONNACK is awaited until
  /// settings.connack_timeout.
  Status connected(SessionClock::time_point now);
  /// The transport is gone: nothing is in flight on it any more.
  /// `broker_hung_up`: the broker closed it (EOF or reset), not us or a timeout.
  void disconnected(bool broker_hung_up = false) noexcept;
  /// Bytes from the broker; returns how many were used (whole packets). An
  /// error means the connection must be closed with it (malformed, refused,
  /// a protocol violation, the broker's DISCONNECT).
  Result<std::size_t> receive(std::span<const std::byte> data, SessionClock::time_point now);
  /// The time is `now`: keepalive (PINGREQ, or the broker is dead) and the
  /// CONNACK deadline. An error means: close the connection with it.
  ErrorCode advance(SessionClock::time_point now);
  /// When advance() must next be called; nullopt: nothing is timed.
  std::optional<SessionClock::time_point> next_deadline() const noexcept;
  /// Writes queued SUBSCRIBE/UNSUBSCRIBE and PUBLISH packets while the output
  /// holds fewer than `room` bytes and the in-flight window allows.
  void pump(std::size_t room, SessionClock::time_point now);
  /// Writes DISCONNECT (once connected) — after the PUBRELs of the QoS 2
  /// messages already received, so each of their flows completes first. From
  /// now on incoming QoS 1 messages are not acknowledged and new QoS 2 ones
  /// not taken, so the next session gets them again.
  void stop(SessionClock::time_point now, UserPropertyStrings user_properties = {});
  /// True once stop() was called, until connected() again.
  bool stopping() const noexcept { return stopping_; }
  /// True once DISCONNECT is in the output: nothing more is read.
  bool disconnect_written() const noexcept { return disconnect_written_; }

  // What the application asks for; nothing is written until pump().
  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload, QoS qos,
                                bool retain);
  /// With MQTT 5 properties; an expiry counts from `now`.
  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload, QoS qos,
                                bool retain, const PublishProperties& properties,
                                SessionClock::time_point now);
  Status subscribe(std::vector<Subscription> filters);
  Status unsubscribe(std::string_view filter, const UserPropertyStrings& user_properties = {});
  /// True while pump() has something to write.
  bool has_work() const noexcept;

  // What comes out.
  /// Bytes to send, in order; output_sent() once they are handed to the transport.
  std::span<const std::byte> output() const noexcept { return out_; }
  void output_sent() noexcept { out_.clear(); }
  /// Moves the events so far into `batch` (cleared first).
  void take_events(EventBatch& batch);
  bool has_events() const noexcept { return !events_.events.empty(); }

  /// MQTT 5: a new enhanced-authentication exchange on the live connection.
  Status reauthenticate();
  bool is_connected() const noexcept { return phase_ == Phase::connected; }
  const std::string& client_id() const noexcept { return client_id_; }
  Stats stats() const noexcept;

 private:
  enum class Phase : std::uint8_t { offline, awaiting_connack, connected };
  using Pending = detail::Pending;
  using Stage = Pending::Stage;
  struct Request {
    std::uint16_t packet_id = 0;
    bool subscribe = true;
    std::vector<Subscription> asked;  // for UNSUBSCRIBE: one, its filter
  };

  /// Appends a packet: `writer(span) -> Result<size_t>`; what it failed with, if anything.
  template <class Write>
  ErrorCode write(std::size_t at_most, Write&& writer);
  /// Writes one of our acknowledgements, with Options::ack_user_properties
  /// where MQTT 5 and the broker's maximum packet size allow them.
  void write_ack(codec::PacketType type, std::uint16_t packet_id, std::uint8_t code = 0) noexcept;

  ErrorCode handle(const codec::FixedHeader& h, std::span<const std::byte> body);
  ErrorCode on_connack(const codec::Connack& ack);
  /// MQTT 5: the limits and names the broker's CONNACK gives.
  void apply_broker_properties(const codec::Properties& p);
  ErrorCode on_suback(const codec::Suback& ack);
  /// MQTT 5 enhanced authentication (session_auth.cpp): the broker's AUTH,
  /// and what CONNACK says of the exchange.
  ErrorCode on_auth(const codec::Ack& auth, const codec::Properties& p);
  ErrorCode finish_authentication(const codec::Properties& p);
  ErrorCode send_auth(std::uint8_t code, std::span<const std::byte> data);
  void send_subscribe(const std::vector<Subscription>& filters);
  void send_unsubscribe(const Subscription& filter);

  void resume();
  void start_fresh_session();
  void write_publish(Pending& m, bool dup);
  /// The broker hung up: the message it stopped at, if there is one, gets the blame.
  void blame_hang_up() noexcept;
  void complete(std::size_t index, ErrorCode result);
  void report_dropped(std::size_t messages, std::size_t bytes);
  ErrorCode on_ack(codec::PacketType type, const codec::Ack& ack);
  ErrorCode on_publish(const codec::FixedHeader& h, std::span<const std::byte> body);
  void deliver(std::string_view topic, const codec::Publish& p, const codec::Properties& props);
  /// Copies a property block (with its length in front) into the event
  /// batch's bytes; where it starts.
  std::size_t keep_properties(const codec::Properties& props);
  /// MQTT 5: a reply event if the broker's packet said more than its code.
  void note_reply(Reply::Packet packet, std::uint64_t id, std::uint8_t code,
                  const codec::Properties& props);
  /// MQTT 5: a payload its sender marked UTF-8 that is not; acknowledged with
  /// reason::payload_format_invalid, not delivered.
  bool refuse_payload(const codec::Publish& p, const codec::Properties& props);
  std::uint16_t next_packet_id() noexcept;
  /// Stopping, and no QoS 2 flow of ours left to complete: DISCONNECT.
  void disconnect_when_released();
  Result<std::size_t> read_packets(std::span<const std::byte> data);
  /// MQTT 5: DISCONNECT with the reason the broker is at fault.
  void say_why(ErrorCode why);

  const Options& settings_;
  detail::Outbox outbox_;
  std::vector<Subscription> subscriptions_;
  std::vector<Request> requests_;             // unanswered SUBSCRIBE / UNSUBSCRIBE
  std::vector<Request> unsent_;               // asked for, not sent yet (packet id 0)
  std::vector<std::uint16_t> incoming_qos2_;  // PUBREC sent, PUBREL awaited; sorted
  std::vector<std::string> aliases_in_;
  std::vector<std::string> aliases_out_;
  std::vector<std::byte> out_;
  EventBatch events_;
  std::string client_id_;
  UserPropertyStrings disconnect_user_properties_;  // MQTT 5, given to stop()
  std::vector<std::byte> auth_data_;                // CONNECT's, while it is written
  Phase phase_ = Phase::offline;
  bool stopping_ = false;
  bool disconnect_written_ = false;
  bool ping_outstanding_ = false;
  bool retain_available_ = true;
  std::uint8_t broker_max_qos_ = 2;
  std::uint16_t send_window_ = 1;
  std::uint16_t alias_limit_ = 0;
  std::uint16_t next_packet_id_ = 1;
  std::uint64_t packets_received_ = 0;
  std::uint32_t broker_max_packet_ = codec::kMaxRemainingLength;
  std::chrono::milliseconds keepalive_;
  SessionClock::time_point now_{}, last_sent_{}, last_received_{}, ping_deadline_{},
      connack_deadline_{};
  Stats stats_;
};

// Runs `writer(span) -> Result<size_t>` on at most `at_most` bytes at the end
// of the output, which grows to the largest burst and is then reused.
template <class Write>
inline ErrorCode Session::write(std::size_t at_most, Write&& writer) {
  const std::size_t at = out_.size();
  out_.resize(at + at_most);
  auto n = writer(std::span(out_).subspan(at));
  out_.resize(at + (n ? *n : 0));
  if (!n) return n.error();
  last_sent_ = now_;
  return {};
}

}  // namespace sockkit::mqtt
