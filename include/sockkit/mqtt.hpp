// SPDX-License-Identifier: MIT
/// @file
/// An MQTT 3.1, 3.1.1 and 5.0 client on the event loop.
///
/// One persistent session with a broker, over plain TCP, TLS or a Unix socket,
/// on top of ReconnectingClient (name re-resolution, Happy Eyeballs, backoff).
/// QoS 0, 1 and 2 both ways; what is published while offline waits in a bounded
/// outbox; QoS 1 and 2 messages are retransmitted after a reconnect, in order;
/// a broker that stops answering is declared dead within 1.5 x the keepalive.
///
///       struct Meter : sockkit::mqtt::Handler {
///         void on_connected(bool session_present) override { puts("up"); }
///         void on_message(const sockkit::mqtt::Message& m) override {
///           printf("%.*s\n", int(m.topic.size()), m.topic.data());
///         }
///       } meter;
///       auto mqtt = sockkit::mqtt::Client::create(*loop, {.target = "broker.example:8883",
///           .client_id = "meter-17", .keepalive = 30s, .transport = {.tls = tls}}, meter);
///       mqtt->subscribe("meters/17/cmd", sockkit::mqtt::QoS::at_least_once);
///       mqtt->start();
///       mqtt->publish("meters/17/reading", "42.1 kWh", sockkit::mqtt::QoS::at_least_once);
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sockkit/event_loop.hpp"
#include "sockkit/function.hpp"
#include "sockkit/mqtt5.hpp"
#include "sockkit/reconnecting_client.hpp"
#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit::mqtt {

/// The protocol level sent in CONNECT.
enum class Version : std::uint8_t {
  /// MQTT 3.1 (protocol name "MQIsdp"), for brokers that predate 3.1.1: the
  /// client id must be 1 to 23 characters; SUBACK has no failure code;
  /// CONNACK has no session-present flag, so a session that is not clean is
  /// taken as resumed.
  v3_1 = 3,
  v3_1_1 = 4,  ///< MQTT 3.1.1.
  v5 = 5,      ///< MQTT 5.0 (unless the build leaves it out).
};

/// The newest protocol level this build speaks: MQTT 5, or MQTT 3.1.1 in a
/// build configured with SOCKKIT_MQTT5=OFF (a device's smaller MQTT layer).
///
///     sockkit::mqtt::Options settings{.target = "broker:1883"};  // version = default_version()
///
/// @return Version::v5, or Version::v3_1_1 where MQTT 5 is left out.
Version default_version() noexcept;

/// True if this build speaks `v` (MQTT 3.1 and 3.1.1 always; MQTT 5 unless SOCKKIT_MQTT5=OFF).
/// @param v a protocol level. @return whether Client::create() accepts it.
bool version_available(Version v) noexcept;

/// Delivery guarantee of a message (and the maximum granted to a subscription).
enum class QoS : std::uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

/// Why a broker refused or ended something (MQTT 5 reason codes; MQTT 3.1.1
/// CONNACK return codes are mapped onto them), and what the client itself found
/// wrong with a broker. Each is equivalent to a portable sockkit::errc, so
/// `ec == sockkit::errc::permission_denied` holds for bad credentials.
enum class reason : int {
  unspecified_error = 0x80,                       ///< -> protocol_error
  malformed_packet = 0x81,                        ///< -> protocol_error
  protocol_error = 0x82,                          ///< -> protocol_error
  implementation_specific_error = 0x83,           ///< -> protocol_error
  unsupported_protocol_version = 0x84,            ///< -> not_supported
  client_identifier_not_valid = 0x85,             ///< -> invalid_argument
  bad_user_name_or_password = 0x86,               ///< -> permission_denied
  not_authorized = 0x87,                          ///< -> permission_denied
  server_unavailable = 0x88,                      ///< -> connection_refused
  server_busy = 0x89,                             ///< -> connection_refused
  banned = 0x8A,                                  ///< -> permission_denied
  server_shutting_down = 0x8B,                    ///< -> connection_aborted
  bad_authentication_method = 0x8C,               ///< -> permission_denied
  keep_alive_timeout = 0x8D,                      ///< -> timed_out
  session_taken_over = 0x8E,                      ///< -> connection_aborted
  topic_filter_invalid = 0x8F,                    ///< -> invalid_argument
  topic_name_invalid = 0x90,                      ///< -> invalid_argument
  packet_identifier_in_use = 0x91,                ///< -> protocol_error
  packet_identifier_not_found = 0x92,             ///< -> protocol_error
  receive_maximum_exceeded = 0x93,                ///< -> limit_exceeded
  topic_alias_invalid = 0x94,                     ///< -> protocol_error
  packet_too_large = 0x95,                        ///< -> message_too_large
  message_rate_too_high = 0x96,                   ///< -> limit_exceeded
  quota_exceeded = 0x97,                          ///< -> limit_exceeded
  administrative_action = 0x98,                   ///< -> connection_aborted
  payload_format_invalid = 0x99,                  ///< -> invalid_argument
  retain_not_supported = 0x9A,                    ///< -> not_supported
  qos_not_supported = 0x9B,                       ///< -> not_supported
  use_another_server = 0x9C,                      ///< -> connection_refused
  server_moved = 0x9D,                            ///< -> connection_refused
  shared_subscriptions_not_supported = 0x9E,      ///< -> not_supported
  connection_rate_exceeded = 0x9F,                ///< -> limit_exceeded
  maximum_connect_time = 0xA0,                    ///< -> connection_aborted
  subscription_identifiers_not_supported = 0xA1,  ///< -> not_supported
  wildcard_subscriptions_not_supported = 0xA2,    ///< -> not_supported
  // Found by the client, not sent by a broker:
  connack_timeout = 0x100,      ///< No CONNACK within Options::connack_timeout -> timed_out
  ping_timeout = 0x101,         ///< No answer to PINGREQ within half the keepalive -> timed_out
  unexpected_packet = 0x102,    ///< A packet type a broker must not send now -> protocol_error
  session_not_resumed = 0x103,  ///< Broker lost a QoS 2 message's session -> connection_aborted
};

/// The category of mqtt::reason codes (name "sockkit.mqtt").
/// @return the category (a static object).
const ErrorCategory& category() noexcept;
/// Builds an error code from a reason.
///
///     if (ec == sockkit::mqtt::make_error_code(sockkit::mqtt::reason::not_authorized)) ...
///
/// @param r the reason code. @return it as a ErrorCode.
ErrorCode make_error_code(reason r) noexcept;

/// The last will: published by the broker if the client vanishes without DISCONNECT.
struct Will {
  std::string topic{};          ///< Where the broker publishes it.
  std::string payload{};        ///< What it publishes.
  QoS qos = QoS::at_most_once;  ///< Its quality of service.
  bool retain = false;          ///< Kept by the broker for later subscribers.
  // MQTT 5 will properties (Client::create() refuses them with MQTT 3.1.1):
  /// Will delay interval: the broker waits this long after the connection is
  /// lost (a reconnect within it publishes nothing).
  std::chrono::seconds delay{0};
  std::optional<std::chrono::seconds> expiry{};  ///< Message expiry of the will.
  bool payload_utf8 = false;                     ///< Payload format indicator.
  std::string content_type{};                    ///< Content type.
  std::string response_topic{};                  ///< Request/response: where answers go.
  std::string correlation_data{};                ///< Request/response: its bytes.
  UserPropertyStrings user_properties{};         ///< Name/value pairs, in order.
};

/// A received message; the views are valid only during Handler::on_message.
struct Message {
  std::string_view topic{};              ///< The topic it was published to.
  std::span<const std::byte> payload{};  ///< Its bytes, as published.
  QoS qos = QoS::at_most_once;           ///< The QoS it was delivered with.
  bool retain = false;     ///< Sent because it was retained (a new subscription's first look).
  bool duplicate = false;  ///< The broker's DUP flag (QoS 1 may deliver twice; QoS 2 never does).
  // MQTT 5 properties (empty with MQTT 3.1.1):
  std::optional<std::chrono::seconds> expiry{};  ///< The message's lifetime left, as forwarded.
  bool payload_utf8 = false;          ///< Payload format indicator (checked: a payload that is not
                                      ///< UTF-8 is refused with reason::payload_format_invalid).
  std::string_view content_type{};    ///< Content type.
  std::string_view response_topic{};  ///< Request/response: where to answer.
  std::span<const std::byte> correlation_data{};  ///< Request/response: to send back.
  UserProperties user_properties{};               ///< Name/value pairs, in order.
  SubscriptionIds subscription_ids{};             ///< Identifiers of the subscriptions it matched.
  /// @return the payload as text (a view of the same bytes).
  std::string_view text() const noexcept {
    return {reinterpret_cast<const char*>(payload.data()), payload.size()};
  }
};

/// One topic filter of a SUBSCRIBE ('+' one level, '#' the rest). The MQTT 5
/// options are refused with errc::not_supported on an MQTT 3.1.1 session.
struct Subscription {
  std::string filter{};          ///< A topic or a filter, e.g. "meters/+/reading".
  QoS qos = QoS::at_least_once;  ///< The maximum QoS asked for.
  bool no_local = false;         ///< MQTT 5: do not send me my own publications.
  /// MQTT 5: forward the retain flag as published (otherwise the broker
  /// clears it on messages that are not a subscription's first look).
  bool retain_as_published = false;
  RetainHandling retain_handling = RetainHandling::on_subscribe;  ///< MQTT 5: retained messages.
  /// MQTT 5 subscription identifier (1..268,435,455; 0: none): messages that
  /// match this filter carry it in Message::subscription_ids.
  std::uint32_t id = 0;
  /// MQTT 5 user properties of the SUBSCRIBE that carries this filter
  /// (filters with the same identifier and user properties share one).
  UserPropertyStrings user_properties{};
};

/// A place where unacknowledged QoS 1 and 2 messages survive a process restart.
/// Records are opaque bytes; ids grow and say the order.
class MessageStore {
 public:
  virtual ~MessageStore() = default;
  /// Writes (or replaces) one record durably before returning.
  /// @param id the record's id. @param record its bytes.
  /// @return the storage's error; the client then keeps the message in memory only.
  virtual Status save(std::uint64_t id, std::span<const std::byte> record) noexcept = 0;
  /// Forgets one record.
  /// @param id the record's id (unknown ids are ignored).
  virtual void erase(std::uint64_t id) noexcept = 0;
  /// Calls `each` for every record, by increasing id.
  /// @param each given each id and record.
  /// @return the storage's error.
  virtual Status load(
      const Function<void(std::uint64_t id, std::span<const std::byte> record)>& each) = 0;
};

/// A MessageStore in a directory: one small file per message, written to a
/// temporary name, synced and renamed, so a crash leaves the old or the new record.
///
///     auto store = sockkit::mqtt::FileStore::open("/var/lib/meter/outbox");
class FileStore final : public MessageStore {
 public:
  /// Opens (creating it if needed) `directory`.
  /// @param directory where the records live; nothing else should write there.
  /// @return the store, or the file system's error (errc::permission_denied, ...).
  static Result<FileStore> open(std::string directory);
  /// Writes the record to a temporary file, syncs it and renames it into place.
  /// @param id the record's id. @param record its bytes.
  /// @return the file system's error (a full disk: errc::no_buffer_space).
  Status save(std::uint64_t id, std::span<const std::byte> record) noexcept override;
  /// Removes the record's file.
  /// @param id the record's id.
  void erase(std::uint64_t id) noexcept override;
  /// Calls `each` for every stored record, oldest first.
  /// @param each given each id and record.
  /// @return the error of listing the directory (a record that cannot be read is skipped).
  Status load(const Function<void(std::uint64_t, std::span<const std::byte>)>& each) override;

 private:
  explicit FileStore(std::string directory) : dir_(std::move(directory)) {}
  std::string path(std::uint64_t id, bool temporary = false) const;
  std::string dir_;
};

/// What the client does; every field has a safe default except `target`.
struct Options {
  std::string target{};  ///< "broker.example:1883", "[::1]:8883", "unix:/run/mosquitto.sock"
  Version version = default_version();  ///< v3_1, v3_1_1 or v5 (where the build has it).
  std::string client_id{};    ///< Empty: the broker assigns one (MQTT 5) or a clean session.
  bool clean_session = true;  ///< false: resume the broker's session (subscriptions, QoS 1/2).
  std::chrono::seconds session_expiry{0};  ///< MQTT 5: how long the broker keeps the session.
  std::optional<std::string> user_name{};  ///< Sent in CONNECT when set.
  std::optional<std::string> password{};   ///< Sent in CONNECT when set.
  std::optional<Will> will{};              ///< Published by the broker if the client vanishes.
  UserPropertyStrings user_properties{};   ///< MQTT 5: sent in CONNECT, in order.
  /// MQTT 5: sent on each acknowledgement the client writes (PUBACK, PUBREC,
  /// PUBREL, PUBCOMP), in order; left off one that would pass the broker's
  /// maximum packet size, as the standard asks.
  UserPropertyStrings ack_user_properties{};
  /// MQTT 5: asks the broker for response information (the base of response
  /// topics it allows); it arrives in on_reply's Reply::response_information.
  bool request_response_information = false;
  /// MQTT 5: false asks the broker to leave reason strings and user
  /// properties off everything but CONNACK, PUBLISH and DISCONNECT.
  bool request_problem_information = true;
  /// MQTT 5 enhanced authentication (not owned; must outlive the client).
  Authenticator* authenticator = nullptr;
  std::chrono::seconds keepalive{60};  ///< 0: no pings (a dead broker is then never noticed).
  std::chrono::milliseconds connack_timeout{10000};  ///< CONNECT sent, no CONNACK: reconnect.
  std::uint16_t max_inflight = 16;  ///< Unacknowledged QoS 1/2 publications at once.
  /// A QoS 1/2 message the broker hangs up on this many times in a row —
  /// each time the first message it had not answered, with nothing from it
  /// after the message was sent (how a broker refuses on MQTT 3.1.1, or a
  /// message over its size limit) — is given up: on_published reports
  /// failure::rejected_by_hang_up and the messages behind it go on. 0: never.
  std::uint8_t max_hang_ups_per_message = 3;
  /// MQTT 5: when another connection takes the session over (DISCONNECT
  /// 0x8E, the same client id elsewhere), false stops the client —
  /// on_given_up(reason::session_taken_over) — since reconnecting would take
  /// it back and the two would throw each other out for ever; true reconnects
  /// with the reconnect policy's backoff.
  bool reconnect_after_takeover = false;
  /// MQTT 5: incoming QoS 2 messages awaiting PUBREL at once, told to the
  /// broker; more is counted (Stats::receive_maximum_overruns), not refused.
  std::uint16_t receive_maximum = 64;
  std::uint16_t topic_alias_maximum = 16;      ///< MQTT 5: aliases the broker may use toward us.
  bool use_topic_aliases = true;               ///< MQTT 5: alias repeated topics toward the broker.
  std::uint32_t max_packet_size = 256 * 1024;  ///< Larger incoming packets: packet_too_large.
  std::size_t outbox_bytes = 256 * 1024;       ///< Bound of what waits to be sent or acknowledged.
  std::size_t outbox_messages = 1000;          ///< Bound of how many messages wait.
  OutboxOverflow outbox_overflow = OutboxOverflow::drop_oldest;  ///< What a full outbox gives up.
  MessageStore* store = nullptr;    ///< QoS 1/2 messages also kept here (survive a restart).
  ReconnectingOptions transport{};  ///< Reconnect policy, TLS, resolver, connect timeout.
};

/// Counters for logs and tests.
struct Stats {
  std::uint64_t connects = 0;       ///< CONNACKs accepted.
  std::uint64_t published = 0;      ///< Publications completed (written, or acknowledged).
  std::uint64_t received = 0;       ///< Messages delivered to on_message.
  std::uint64_t retransmitted = 0;  ///< PUBLISH with DUP or PUBREL sent again after a reconnect.
  std::uint64_t duplicates_dropped = 0;  ///< Incoming QoS 2 copies not delivered twice.
  /// MQTT 5: incoming QoS 2 messages past our receive maximum, taken all the
  /// same (a broker's fault; hanging up would lose them).
  std::uint64_t receive_maximum_overruns = 0;
  std::uint64_t rejected_by_hang_up = 0;  ///< Messages given up (max_hang_ups_per_message).
  std::uint64_t expired = 0;  ///< MQTT 5: messages whose expiry passed before they were sent.
  /// MQTT 5: incoming messages marked UTF-8 whose payload was not, refused
  /// (reason::payload_format_invalid) rather than delivered.
  std::uint64_t refused_payloads = 0;
  std::uint64_t dropped_messages = 0;  ///< Outbox overflow.
  std::uint64_t dropped_bytes = 0;     ///< Payload bytes of those messages.
  std::size_t outbox_messages = 0;     ///< Waiting now (queued or unacknowledged).
  std::size_t outbox_bytes = 0;        ///< Their bytes.
  std::size_t inflight = 0;            ///< Sent, not acknowledged yet.
};

/// Callbacks, all on the loop thread. Any of them may destroy the Client.
class Handler {
 public:
  /// CONNACK accepted; `session_present`: the broker kept the session.
  virtual void on_connected(bool /*session_present*/) {}
  /// The session went down (reconnect follows unless stopped); `why` says why.
  virtual void on_disconnected(ErrorCode /*why*/) {}
  /// An attempt to reach the broker failed before MQTT began (refused,
  /// unreachable, a name that does not resolve, a TLS certificate that is wrong).
  virtual void on_connect_failed(ErrorCode /*why*/) {}
  /// A message arrived on a subscription.
  virtual void on_message(const Message& /*message*/) {}
  /// A publication is done: acknowledged (QoS 1/2), written (QoS 0), or refused
  /// by an MQTT 5 broker (`result` holds the reason).
  virtual void on_published(std::uint64_t /*id*/, ErrorCode /*result*/) {}
  /// A SUBSCRIBE was answered; one code per filter (empty: granted).
  virtual void on_subscribed(std::span<const Subscription> /*asked*/,
                             std::span<const ErrorCode> /*results*/) {}
  /// The outbox dropped messages to stay within its bounds.
  virtual void on_dropped(std::size_t /*messages*/, std::size_t /*bytes*/) {}
  /// The client stopped for good (stop(), or the reconnect policy gave up).
  virtual void on_given_up(ErrorCode /*last*/) {}
  /// MQTT 5: a broker's CONNACK, acknowledgement, AUTH or DISCONNECT carried
  /// a reason string, user properties, a server reference or response
  /// information; called just before the callback that packet leads to
  /// (on_connected, on_published, on_subscribed, on_disconnected).
  virtual void on_reply(const Reply& /*reply*/) {}

 protected:
  ~Handler() = default;
};

/// The client. Create, subscribe, start; publish at any time.
class Client {
 public:
  /// Checks the settings (client id, will topic, limits); connects on start().
  ///
  ///     auto mqtt = sockkit::mqtt::Client::create(*loop, {.target = "broker.local:1883",
  ///                                                        .client_id = "meter-17"}, handler);
  ///     mqtt->start();
  ///
  /// @param loop the loop it runs on (must outlive it).
  /// @param settings broker, protocol version, session, keepalive, TLS, outbox, store.
  /// @param handler told of connections, messages and acknowledgements.
  /// @return the client, or errc::invalid_argument for a bad setting,
  ///         errc::not_supported for a protocol level the build leaves out
  ///         (version_available()), failure::timers_exhausted, or the store's
  ///         error reading what it kept.
  static Result<Client> create(EventLoop& loop, Options settings, Handler& handler);
  /// Closes the connection without DISCONNECT (so the will is published).
  ~Client();
  /// Takes over `other`, which is left empty (only destruction and assignment are valid).
  /// @param other the client taken over.
  Client(Client&& other) noexcept;
  /// Destroys what this held (as the destructor does), then takes over `other`.
  /// @param other the client taken over. @return this client.
  Client& operator=(Client&& other) noexcept;

  /// Connects, and keeps reconnecting until stop().
  void start() noexcept;
  /// Sends DISCONNECT (no will) once the QoS 2 messages already received have
  /// had their PUBREL (2 s at most), closes after flushing and stops reconnecting.
  void stop() noexcept;
  /// The same, with MQTT 5 user properties in the DISCONNECT (ignored on MQTT 3.1.1).
  ///
  ///     client->stop({{"reason", "firmware update"}});
  ///
  /// @param user_properties name/value pairs, UTF-8 (others are left out).
  void stop(const UserPropertyStrings& user_properties) noexcept;

  /// Queues a publication.
  ///
  ///     auto id = client->publish("meters/17/reading", "42.1", QoS::at_least_once);
  ///
  /// @param topic no wildcards. @param payload its bytes, copied.
  /// @param qos at most once, at least once, exactly once. @param retain the broker keeps it.
  /// @return its id (for on_published); errc::invalid_argument (a bad topic),
  ///         errc::message_too_large, errc::limit_exceeded when the outbox is full
  ///         and its policy refuses new messages.
  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload,
                                QoS qos = QoS::at_most_once, bool retain = false) noexcept;
  /// The same with a text payload.
  /// @param topic no wildcards. @param payload the text, copied.
  /// @param qos the QoS. @param retain the broker keeps it. @return as publish() of bytes.
  Result<std::uint64_t> publish(std::string_view topic, std::string_view payload,
                                QoS qos = QoS::at_most_once, bool retain = false) noexcept;
  /// Queues a publication with MQTT 5 properties (request/response, expiry,
  /// user properties...).
  ///
  ///     const sockkit::mqtt::UserProperty tags[] = {{"unit", "kWh"}};
  ///     client->publish("meters/17/reading", bytes, QoS::at_least_once, false,
  ///                     {.expiry = 60s, .content_type = "text/plain", .user_properties = tags});
  ///
  /// @param topic no wildcards. @param payload its bytes, copied.
  /// @param qos the QoS. @param retain the broker keeps it.
  /// @param properties copied with the message; counted in the outbox's bound
  ///        and in the broker's maximum packet size.
  /// @return as publish() without properties; also errc::not_supported with
  ///         properties on an MQTT 3.1.1 session, errc::invalid_argument for a
  ///         property that is not UTF-8 or a response topic with wildcards.
  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload, QoS qos,
                                bool retain, const PublishProperties& properties) noexcept;
  /// The same with a text payload.
  /// @param topic no wildcards. @param payload the text, copied. @param qos the QoS.
  /// @param retain the broker keeps it. @param properties copied with the message.
  /// @return as publish() of bytes with properties.
  Result<std::uint64_t> publish(std::string_view topic, std::string_view payload, QoS qos,
                                bool retain, const PublishProperties& properties) noexcept;

  /// Subscribes now if connected, and again after every connect that did not
  /// resume the session.
  ///
  ///     client->subscribe({{.filter = "meters/+/cmd", .qos = QoS::exactly_once}});
  ///
  /// @param filters the filters and their options.
  /// @return errc::invalid_argument for a bad filter (nothing is subscribed then).
  Status subscribe(std::vector<Subscription> filters) noexcept;
  /// One filter.
  /// @param filter the filter. @param qos the maximum QoS asked for.
  /// @return errc::invalid_argument for a bad filter.
  Status subscribe(std::string_view filter, QoS qos = QoS::at_least_once) noexcept;
  /// Forgets a filter (and tells the broker if connected).
  /// @param filter as subscribed. @return errc::invalid_argument for a bad filter.
  Status unsubscribe(std::string_view filter) noexcept;
  /// The same, with MQTT 5 user properties in the UNSUBSCRIBE.
  /// @param filter as subscribed. @param user_properties name/value pairs, UTF-8.
  /// @return errc::invalid_argument for a bad filter or text that is not
  ///         UTF-8, errc::not_supported with user properties on MQTT 3.1.1.
  Status unsubscribe(std::string_view filter, const UserPropertyStrings& user_properties) noexcept;

  /// MQTT 5: starts a new enhanced-authentication exchange on the live
  /// connection (AUTH "re-authenticate"), as a token nears its expiry; a
  /// failure ends the connection, and the next one authenticates anew.
  ///
  ///     loop->add_repeating_timer(50min, [&] { (void)client->reauthenticate(); });
  ///
  /// @return errc::not_supported without an authenticator or on MQTT 3.1.1,
  ///         errc::not_connected while no connection is up.
  Status reauthenticate() noexcept;
  /// @return true between CONNACK and the end of that connection.
  bool connected() const noexcept;
  /// @return the client identifier in use (the broker's, if it assigned one).
  const std::string& client_id() const noexcept;
  /// @return the counters.
  Stats stats() const noexcept;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

/// True if `topic` (no wildcards) matches `filter` ('+' and '#'); topics that
/// start with '$' match only filters that start with '$'.
///
///     topic_matches("meters/+/cmd", "meters/17/cmd");   // true
///
/// @param filter a filter. @param topic a topic name.
/// @return whether the filter takes the topic.
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

}  // namespace sockkit::mqtt

// ErrorCode needs to know the enums; left out of the reference.
/// @cond
template <>
struct sockkit::is_error_code_enum<sockkit::mqtt::reason> : std::true_type {};
#if SOCKKIT_STD_ERRORS
template <>
struct std::is_error_code_enum<sockkit::mqtt::reason> : std::true_type {};
#endif
/// @endcond

#pragma GCC visibility pop
