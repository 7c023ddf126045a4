// SPDX-License-Identifier: MIT
/// @file
/// What MQTT 5 adds to the MQTT client's API: properties (user properties,
/// the views that walk a received packet's in place, a publication's),
/// subscription options, what a broker adds to its answers, and enhanced
/// authentication. Included by sockkit/mqtt.hpp.
///
///     const sockkit::mqtt::UserProperty tags[] = {{"unit", "kWh"}};
///     client->publish("meters/17/reading", "42.1", QoS::at_least_once, false,
///                     {.expiry = 60s, .user_properties = tags});
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sockkit/result.hpp"

// Everything declared here is the shared library's interface (the library
// itself is built with hidden visibility).
#pragma GCC visibility push(default)

namespace sockkit::mqtt {

/// An MQTT 5 user property: a name and a value, both UTF-8. A packet may carry
/// any number, names may repeat, and their order is kept.
struct UserProperty {
  std::string_view name{};   ///< The property's name.
  std::string_view value{};  ///< Its value.
};

/// User properties a client owns (a will's, CONNECT's): name and value pairs.
using UserPropertyStrings = std::vector<std::pair<std::string, std::string>>;

/// MQTT 5 properties of a publication (properties are not part of MQTT
/// 3.1.1: publish() refuses them there with errc::not_supported). publish()
/// copies what the views point at.
///
///     const sockkit::mqtt::UserProperty tags[] = {{"unit", "kWh"}, {"meter", "17"}};
///     client->publish("meters/17/reading", "42.1", QoS::at_least_once, false,
///                     {.expiry = 60s, .payload_utf8 = true, .user_properties = tags});
struct PublishProperties {
  /// Message expiry interval: the broker forgets the message if it has not
  /// delivered it within this time. Counted from publish(): a message still
  /// queued in the outbox when it runs out is given up (on_published reports
  /// failure::message_expired), and a message sent later carries what is left.
  std::optional<std::chrono::seconds> expiry{};
  bool payload_utf8 = false;          ///< Payload format indicator: the payload is UTF-8.
  std::string_view content_type{};    ///< A MIME type or anything the peers agree on.
  std::string_view response_topic{};  ///< Request/response: where the answer goes.
  std::span<const std::byte> correlation_data{};    ///< Request/response: echoed by the answer.
  std::span<const UserProperty> user_properties{};  ///< Name/value pairs, in order.
};

/// The properties of one kind a received packet carries, read in place: a
/// view valid as long as the packet (during the callback that shows it).
///
///     for (const auto& [name, value] : message.user_properties) log(name, value);
///     for (std::uint32_t id : message.subscription_ids) route(id);
template <class T>
class PropertyList {
 public:
  /// Walks the properties of kind T, in the order they were sent.
  class iterator {
   public:
    using value_type = T;                    ///< What it reads.
    using difference_type = std::ptrdiff_t;  ///< For the iterator concepts.
    iterator() = default;
    /// @return the property here.
    T operator*() const noexcept;
    /// Steps to the next property of this kind. @return this iterator.
    iterator& operator++() noexcept;
    /// Steps to the next property of this kind. @return the iterator before the step.
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    /// @param other an iterator of the same list. @return whether both are at the same place.
    bool operator==(const iterator& other) const noexcept { return at_ == other.at_; }

   private:
    friend class PropertyList;
    iterator(std::span<const std::byte> block, std::size_t at) noexcept : block_(block), at_(at) {}
    std::span<const std::byte> block_{};
    std::size_t at_ = 0;
  };

  PropertyList() = default;
  /// A view of a property block the codec has checked (sockkit makes these).
  /// @param block the properties' bytes, without the length in front.
  explicit PropertyList(std::span<const std::byte> block) noexcept : block_(block) {}
  /// @return the first property of this kind.
  iterator begin() const noexcept;
  /// @return past the last property.
  iterator end() const noexcept { return {block_, block_.size()}; }
  /// @return true if the packet carries none.
  bool empty() const noexcept { return begin() == end(); }
  /// @return how many the packet carries.
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it)
      ++n;
    return n;
  }

 private:
  std::span<const std::byte> block_{};
};

// The two kinds there are, built into the library.
/// @cond
extern template class PropertyList<UserProperty>;
extern template class PropertyList<std::uint32_t>;
/// @endcond

/// User properties of a received packet (MQTT 5).
using UserProperties = PropertyList<UserProperty>;
/// Subscription identifiers of a received message: one per matching
/// subscription that was made with an identifier (MQTT 5).
using SubscriptionIds = PropertyList<std::uint32_t>;

/// What an MQTT 5 broker added to a packet of its own beyond its reason code:
/// a reason string for logs, user properties, a server to use instead. The
/// views are valid only during Handler::on_reply.
struct Reply {
  /// The packet that carried it.
  enum class Packet : std::uint8_t {
    connack,
    puback,
    pubrec,
    pubrel,
    pubcomp,
    suback,
    unsuback,
    disconnect,
    auth,
  };
  Packet packet = Packet::connack;  ///< Which packet.
  /// puback, pubrec, pubcomp: the publish() id of the message it answers; else 0.
  std::uint64_t id = 0;
  ErrorCode reason{};                       ///< Its reason code (none: success).
  std::string_view reason_string{};         ///< Human-readable, not for parsing.
  UserProperties user_properties{};         ///< Name/value pairs, in order.
  std::string_view server_reference{};      ///< connack, disconnect: another server to use.
  std::string_view response_information{};  ///< connack: the base of response topics.
};

/// MQTT 5 subscription option: when the broker sends retained messages.
enum class RetainHandling : std::uint8_t {
  on_subscribe = 0,      ///< At every SUBSCRIBE (MQTT 3.1.1's behaviour).
  on_new_subscribe = 1,  ///< Only when the subscription did not exist yet.
  never = 2,             ///< Never.
};

/// MQTT 5 enhanced authentication: a challenge-response exchange in AUTH
/// packets (SCRAM, Kerberos, a token a device refreshes), by a method both
/// ends know. The client calls it from inside its session: it must answer
/// from what it is given and must not call the client back.
///
///     struct Token : sockkit::mqtt::Authenticator {
///       std::string_view method() const noexcept override { return "device-token"; }
///       Result<std::vector<std::byte>> start() override { return bytes_of(current_token()); }
///       Result<std::vector<std::byte>> challenge(std::span<const std::byte> nonce) override {
///         return sign(nonce);
///       }
///       Status finish(std::span<const std::byte> proof) override { return check(proof); }
///     } token;
///     sockkit::mqtt::Options settings{.target = "broker:8883", .authenticator = &token};
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// The authentication method's name, sent in CONNECT and every AUTH.
  /// @return e.g. "SCRAM-SHA-256"; the same every time.
  virtual std::string_view method() const noexcept = 0;
  /// A new exchange begins (each CONNECT, and Client::reauthenticate()).
  /// @return the first data to send (may be empty), or an error to give up.
  virtual Result<std::vector<std::byte>> start() = 0;
  /// The broker's challenge (AUTH "continue authentication").
  /// @param data what the broker sent. @return the answer, or an error to give
  ///        up (the client then disconnects with reason::not_authorized).
  virtual Result<std::vector<std::byte>> challenge(std::span<const std::byte> data) = 0;
  /// The broker says the exchange succeeded (CONNACK or AUTH "success"), with
  /// its last data (a server signature to check, or empty).
  /// @param data what the broker sent. @return an error if the broker's proof
  ///        does not hold (the connection is then closed).
  virtual Status finish(std::span<const std::byte> data) = 0;
};

}  // namespace sockkit::mqtt

#pragma GCC visibility pop
