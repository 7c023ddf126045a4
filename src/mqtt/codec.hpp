// SPDX-License-Identifier: MIT
// The MQTT 3.1.1 and 5.0 wire format for a client: packets out are written
// into the caller's buffer, packets in are read into views of the caller's
// bytes. Nothing here allocates, and nothing read is trusted: every length is
// checked against the packet, strings must be well-formed UTF-8 without U+0000,
// reserved flags must be as the standard fixes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "sockkit/mqtt.hpp"
#include "sockkit/result.hpp"

namespace sockkit::mqtt::codec {

#ifndef SOCKKIT_MQTT5
#define SOCKKIT_MQTT5 1
#endif
/// Whether this build speaks MQTT 5 (SOCKKIT_MQTT5=OFF: MQTT 3.1.1 only, and
/// what MQTT 5 adds — properties, topic aliases, reason codes on the wire —
/// compiles away).
inline constexpr bool kMqtt5 = SOCKKIT_MQTT5 != 0;
/// `v` is MQTT 5 and this build speaks it: what this guards is left out of a
/// 3.1.1-only build.
constexpr bool is_v5(Version v) noexcept {
  return kMqtt5 && v == Version::v5;
}

enum class PacketType : std::uint8_t {
  connect = 1,
  connack,
  publish,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  pingreq,
  pingresp,
  disconnect,
  auth,
};

inline constexpr std::uint32_t kMaxRemainingLength = 268'435'455;
inline constexpr std::size_t kMaxSubackCodes = 64;  ///< Filters per SUBSCRIBE the client sends.

/// The first bytes of a packet.
struct FixedHeader {
  PacketType type{};
  std::uint8_t flags = 0;        ///< The low nibble of the first byte.
  std::uint32_t remaining = 0;   ///< Bytes after the fixed header.
  std::uint8_t header_size = 0;  ///< 2..5
  std::size_t total() const noexcept { return header_size + std::size_t{remaining}; }
};

enum class Frame : std::uint8_t { complete, need_more, malformed, too_large };

/// Reads the fixed header at the start of `in`: complete when the whole packet
/// is there, need_more while it is not, too_large past `max_packet` bytes.
Frame frame(std::span<const std::byte> in, std::uint32_t max_packet, FixedHeader& out) noexcept;

/// MQTT 5 properties of a packet the client reads. Each is checked for form
/// and for whether the packet may carry it; user properties and subscription
/// identifiers, which repeat, are read from `block` (UserProperties, SubscriptionIds).
struct Properties {
  std::span<const std::byte> block{};  ///< The whole property block, without its length.
  std::optional<std::uint32_t> message_expiry{};
  std::optional<std::uint8_t> payload_format{};
  std::optional<std::string_view> content_type{};
  std::optional<std::string_view> response_topic{};
  std::optional<std::span<const std::byte>> correlation_data{};
  std::optional<std::string_view> response_information{};
  std::optional<std::string_view> server_reference{};
  std::optional<std::string_view> authentication_method{};
  std::optional<std::span<const std::byte>> authentication_data{};
  std::optional<bool> wildcards_available{};
  std::optional<bool> subscription_ids_available{};
  std::optional<bool> shared_subscriptions_available{};
  std::optional<std::uint32_t> session_expiry{};
  std::optional<std::uint16_t> receive_maximum{};
  std::optional<std::uint8_t> maximum_qos{};
  std::optional<bool> retain_available{};
  std::optional<std::uint32_t> maximum_packet_size{};
  std::optional<std::uint16_t> topic_alias_maximum{};
  std::optional<std::uint16_t> topic_alias{};
  std::optional<std::uint16_t> server_keep_alive{};
  std::optional<std::string_view> assigned_client_id{};
  std::optional<std::string_view> reason_string{};
};

struct Connect {
  Version version = Version::v5;
  std::string_view client_id{};
  bool clean = true;
  std::uint16_t keepalive_s = 60;
  std::optional<std::string_view> user_name{};
  std::optional<std::string_view> password{};
  const Will* will = nullptr;
  std::uint32_t session_expiry = 0;
  std::uint16_t receive_maximum = 0;      ///< 0: not sent (65535 assumed)
  std::uint32_t maximum_packet_size = 0;  ///< 0: not sent
  std::uint16_t topic_alias_maximum = 0;
  const UserPropertyStrings* user_properties = nullptr;  ///< MQTT 5; null or empty: none.
  bool request_response_information = false;             ///< MQTT 5: sent when true.
  bool request_problem_information = true;               ///< MQTT 5: sent when false.
  std::string_view authentication_method{};              ///< MQTT 5 enhanced authentication.
  std::span<const std::byte> authentication_data{};      ///< Its first data.
};

struct Publish {
  std::string_view topic{};  ///< Empty with a topic alias: the alias names it.
  std::span<const std::byte> payload{};
  QoS qos = QoS::at_most_once;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;       ///< QoS 1 and 2 only.
  std::uint16_t topic_alias = 0;     ///< MQTT 5; 0 = none.
  std::uint32_t message_expiry = 0;  ///< MQTT 5; 0 = none sent.
  /// MQTT 5: more properties, already written by write_publish_properties().
  std::span<const std::byte> properties{};
};

struct Connack {
  bool session_present = false;
  std::uint8_t code = 0;  ///< MQTT 5 reason code (3.1.1 return codes mapped onto them)
  Properties properties{};
};

/// PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK (first code), DISCONNECT (no id).
struct Ack {
  std::uint16_t packet_id = 0;
  std::uint8_t code = 0;
};

struct Suback {
  std::uint16_t packet_id = 0;
  std::span<const std::byte> codes{};  ///< One per filter.
};

struct SubscribeFilter {
  std::string_view filter{};
  QoS qos = QoS::at_least_once;
  bool no_local = false;
  bool retain_as_published = false;
  RetainHandling retain_handling = RetainHandling::on_subscribe;
};

// Writers: the packet's size, or failure::limit_reached when `out` is too small
// and invalid_argument when a field breaks the protocol. The sizes come first,
// so callers can size a buffer once.
Result<std::size_t> write_connect(const Connect& c, std::span<std::byte> out) noexcept;
Result<std::size_t> write_publish(Version v, const Publish& p, std::span<std::byte> out) noexcept;
/// PUBACK, PUBREC, PUBREL or PUBCOMP; `user_properties` (MQTT 5; null or
/// empty: none) must be UTF-8 pairs.
Result<std::size_t> write_ack(Version v, PacketType type, std::uint16_t packet_id,
                              std::uint8_t code, std::span<std::byte> out,
                              const UserPropertyStrings* user_properties = nullptr) noexcept;
// `user_properties` (MQTT 5; null or empty: none) must be UTF-8 pairs.
/// `subscription_id`: MQTT 5, 1..268,435,455, or 0 for none.
Result<std::size_t> write_subscribe(Version v, std::uint16_t packet_id,
                                    std::span<const SubscribeFilter> filters,
                                    std::uint32_t subscription_id,
                                    const UserPropertyStrings* user_properties,
                                    std::span<std::byte> out) noexcept;
Result<std::size_t> write_unsubscribe(Version v, std::uint16_t packet_id,
                                      std::span<const std::string_view> filters,
                                      const UserPropertyStrings* user_properties,
                                      std::span<std::byte> out) noexcept;
Result<std::size_t> write_pingreq(std::span<std::byte> out) noexcept;
/// AUTH (MQTT 5): `code` 0x18 continue, 0x19 re-authenticate; the method and its data.
Result<std::size_t> write_auth(std::uint8_t code, std::string_view method,
                               std::span<const std::byte> data, std::span<std::byte> out) noexcept;
Result<std::size_t> write_disconnect(Version v, std::uint8_t code,
                                     const UserPropertyStrings* user_properties,
                                     std::span<std::byte> out) noexcept;
/// True if every name and value is UTF-8 within 65,535 bytes.
bool valid_user_properties(const UserPropertyStrings& user_properties) noexcept;
/// Bytes a list of user properties takes in a property block.
std::size_t user_properties_size(const UserPropertyStrings* user_properties) noexcept;

/// Bytes write_publish needs (same checks).
std::size_t publish_size(Version v, const Publish& p) noexcept;

/// The bytes a publication's properties take (all but its expiry, which
/// write_publish adds as it counts down, and its topic alias), or
/// errc::invalid_argument for text that is not UTF-8, a response topic with
/// wildcards, or a field past 65,535 bytes.
Result<std::size_t> publish_properties_size(const PublishProperties& p) noexcept;
/// True if any of a publication's properties is set.
inline bool has_any(const PublishProperties& p) noexcept {
  return p.expiry || p.payload_utf8 || !p.content_type.empty() || !p.response_topic.empty() ||
         !p.correlation_data.empty() || !p.user_properties.empty();
}
/// Writes them into `out`, which holds publish_properties_size() bytes.
void write_publish_properties(const PublishProperties& p, std::span<std::byte> out) noexcept;

/// True if the will's properties and CONNECT's user properties are UTF-8,
/// the will's response topic has no wildcards and nothing passes 65,535 bytes.
bool valid_connect_properties(const Options& settings) noexcept;
/// True if `settings` ask for anything only MQTT 5 can say in CONNECT (user
/// properties, will properties).
bool has_connect_properties(const Options& settings) noexcept;

/// The highest subscription identifier MQTT 5 allows.
inline constexpr std::uint32_t kMaxSubscriptionId = 268'435'455;

// Readers take the packet's body (after the fixed header); a malformed body is
// reason::malformed_packet, a legal but forbidden one reason::protocol_error.
Result<Connack> read_connack(Version v, const FixedHeader& h,
                             std::span<const std::byte> body) noexcept;
Result<Publish> read_publish(Version v, const FixedHeader& h, std::span<const std::byte> body,
                             Properties* properties = nullptr) noexcept;
// `properties`, where given, receives an MQTT 5 packet's properties (views of `body`).
Result<Ack> read_ack(Version v, const FixedHeader& h, std::span<const std::byte> body,
                     Properties* properties = nullptr) noexcept;
Result<Suback> read_suback(Version v, const FixedHeader& h, std::span<const std::byte> body,
                           Properties* properties = nullptr) noexcept;
/// The properties of a received PUBLISH (from its Properties::block) as a
/// Message shows them.
void fill_message_properties(const Properties& p, Message& m) noexcept;
Result<Ack> read_disconnect(Version v, const FixedHeader& h, std::span<const std::byte> body,
                            Properties* properties = nullptr) noexcept;
/// AUTH (MQTT 5 only): its reason code (0x00 success, 0x18 continue) and properties.
Result<Ack> read_auth(Version v, const FixedHeader& h, std::span<const std::byte> body,
                      Properties* properties = nullptr) noexcept;

/// A topic one may publish to: 1..65535 bytes of UTF-8, no wildcard, no U+0000.
bool valid_topic_name(std::string_view topic) noexcept;
/// A filter one may subscribe to: '+' a whole level, '#' the whole last level.
bool valid_topic_filter(std::string_view filter) noexcept;
/// Well-formed UTF-8 without U+0000 and without surrogates.
bool valid_utf8(std::string_view text) noexcept;

}  // namespace sockkit::mqtt::codec
