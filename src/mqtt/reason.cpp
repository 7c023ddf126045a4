// SPDX-License-Identifier: MIT
// MQTT reason codes as ErrorCode, each tied to a portable sockkit::errc,
// the topic matching rules every subscriber needs, and the protocol levels
// this build speaks.
#include <string>

#include "mqtt/codec.hpp"
#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt {
namespace {

errc condition_of(reason r) noexcept {
  switch (r) {
    case reason::unsupported_protocol_version:
    case reason::retain_not_supported:
    case reason::qos_not_supported:
    case reason::shared_subscriptions_not_supported:
    case reason::subscription_identifiers_not_supported:
    case reason::wildcard_subscriptions_not_supported:
      return errc::not_supported;
    case reason::client_identifier_not_valid:
    case reason::topic_filter_invalid:
    case reason::topic_name_invalid:
    case reason::payload_format_invalid:
      return errc::invalid_argument;
    case reason::bad_user_name_or_password:
    case reason::not_authorized:
    case reason::banned:
    case reason::bad_authentication_method:
      return errc::permission_denied;
    case reason::server_unavailable:
    case reason::server_busy:
    case reason::use_another_server:
    case reason::server_moved:
      return errc::connection_refused;
    case reason::server_shutting_down:
    case reason::session_taken_over:
    case reason::administrative_action:
    case reason::maximum_connect_time:
    case reason::session_not_resumed:
      return errc::connection_aborted;
    case reason::keep_alive_timeout:
    case reason::connack_timeout:
    case reason::ping_timeout:
      return errc::timed_out;
    case reason::receive_maximum_exceeded:
    case reason::message_rate_too_high:
    case reason::quota_exceeded:
    case reason::connection_rate_exceeded:
      return errc::limit_exceeded;
    case reason::packet_too_large:
      return errc::message_too_large;
    default:
      return errc::protocol_error;
  }
}

#if SOCKKIT_ERROR_STRINGS
const char* text_of(reason r) noexcept {
  switch (r) {
    case reason::unspecified_error:
      return "MQTT: unspecified error";
    case reason::malformed_packet:
      return "MQTT: malformed packet";
    case reason::protocol_error:
      return "MQTT: protocol error";
    case reason::implementation_specific_error:
      return "MQTT: implementation specific error";
    case reason::unsupported_protocol_version:
      return "MQTT: unsupported protocol version";
    case reason::client_identifier_not_valid:
      return "MQTT: client identifier not valid";
    case reason::bad_user_name_or_password:
      return "MQTT: bad user name or password";
    case reason::not_authorized:
      return "MQTT: not authorized";
    case reason::server_unavailable:
      return "MQTT: server unavailable";
    case reason::server_busy:
      return "MQTT: server busy";
    case reason::banned:
      return "MQTT: banned";
    case reason::server_shutting_down:
      return "MQTT: server shutting down";
    case reason::bad_authentication_method:
      return "MQTT: bad authentication method";
    case reason::keep_alive_timeout:
      return "MQTT: keep alive timeout";
    case reason::session_taken_over:
      return "MQTT: session taken over";
    case reason::topic_filter_invalid:
      return "MQTT: topic filter invalid";
    case reason::topic_name_invalid:
      return "MQTT: topic name invalid";
    case reason::packet_identifier_in_use:
      return "MQTT: packet identifier in use";
    case reason::packet_identifier_not_found:
      return "MQTT: packet identifier not found";
    case reason::receive_maximum_exceeded:
      return "MQTT: receive maximum exceeded";
    case reason::topic_alias_invalid:
      return "MQTT: topic alias invalid";
    case reason::packet_too_large:
      return "MQTT: packet too large";
    case reason::message_rate_too_high:
      return "MQTT: message rate too high";
    case reason::quota_exceeded:
      return "MQTT: quota exceeded";
    case reason::administrative_action:
      return "MQTT: administrative action";
    case reason::payload_format_invalid:
      return "MQTT: payload format invalid";
    case reason::retain_not_supported:
      return "MQTT: retain not supported";
    case reason::qos_not_supported:
      return "MQTT: QoS not supported";
    case reason::use_another_server:
      return "MQTT: use another server";
    case reason::server_moved:
      return "MQTT: server moved";
    case reason::shared_subscriptions_not_supported:
      return "MQTT: shared subscriptions not supported";
    case reason::connection_rate_exceeded:
      return "MQTT: connection rate exceeded";
    case reason::maximum_connect_time:
      return "MQTT: maximum connect time";
    case reason::subscription_identifiers_not_supported:
      return "MQTT: subscription identifiers not supported";
    case reason::wildcard_subscriptions_not_supported:
      return "MQTT: wildcard subscriptions not supported";
    case reason::connack_timeout:
      return "MQTT: no CONNACK in time";
    case reason::ping_timeout:
      return "MQTT: no answer to PINGREQ in time (broker dead?)";
    case reason::unexpected_packet:
      return "MQTT: unexpected packet type from the broker";
    case reason::session_not_resumed:
      return "MQTT: broker did not resume the session";
  }
  return nullptr;
}
#endif

class Category final : public ErrorCategory {
 public:
  const char* name() const noexcept override { return "sockkit.mqtt"; }
  std::string message(int value) const override {
#if SOCKKIT_ERROR_STRINGS
    const char* text = text_of(static_cast<reason>(value));
    if (text != nullptr) return text;
#endif
    return "MQTT: reason code " + std::to_string(value);
  }
  ErrorCondition default_error_condition(int value) const noexcept override {
    return make_error_condition(condition_of(static_cast<reason>(value)));
  }
};

}  // namespace

const ErrorCategory& category() noexcept {
  static const Category instance;
  return instance;
}

ErrorCode make_error_code(reason r) noexcept {
  return {static_cast<int>(r), category()};
}

Version default_version() noexcept {
  return codec::kMqtt5 ? Version::v5 : Version::v3_1_1;
}

bool version_available(Version v) noexcept {
  return v == Version::v3_1 || v == Version::v3_1_1 || codec::is_v5(v);
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  if (!topic.empty() && topic.front() == '$' && (filter.empty() || filter.front() != '$'))
    return false;  // system topics are not matched by wildcards at the first level
  std::size_t f = 0, t = 0;
  for (;;) {
    const std::size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view level = filter.substr(f, f_end - f);
    if (level == "#") return true;  // the parent level too: "a/#" matches "a"
    if (t > topic.size()) return false;
    const std::size_t t_end = std::min(topic.find('/', t), topic.size());
    if (level != "+" && level != topic.substr(t, t_end - t)) return false;
    const bool filter_done = f_end == filter.size();
    const bool topic_done = t_end == topic.size();
    if (filter_done || topic_done) {
      if (filter_done && topic_done) return true;
      // "a/#" also matches "a": the filter has exactly "/#" left.
      return topic_done && !filter_done && filter.substr(f_end) == "/#";
    }
    f = f_end + 1;
    t = t_end + 1;
  }
}

}  // namespace sockkit::mqtt
