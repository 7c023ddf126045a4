// SPDX-License-Identifier: MIT
// What `sockkit mqtt` reads beyond plain flags, as mosquitto's clients spell
// it: -D COMMAND IDENTIFIER VALUE (or COMMAND user-property NAME VALUE) read
// into the client's settings, sub's -F output format, and -L URLs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit::cli {

/// What the -D flags asked for, owned; the client's views point into it.
struct MqttProperties {
  // CONNECT
  mqtt::UserPropertyStrings connect_user;
  std::optional<std::uint32_t> session_expiry, maximum_packet_size;
  std::optional<std::uint16_t> receive_maximum, topic_alias_maximum;
  std::optional<bool> request_response_information, request_problem_information;
  // PUBLISH
  std::optional<std::chrono::seconds> expiry;
  bool payload_utf8 = false;
  std::string content_type, response_topic, correlation_data;
  mqtt::UserPropertyStrings publish_user;
  std::vector<mqtt::UserProperty> publish_user_views;
  // The will: its properties, applied to the will --will-topic makes.
  mqtt::Will will;
  // SUBSCRIBE, DISCONNECT
  std::uint32_t subscription_id = 0;
  mqtt::UserPropertyStrings subscribe_user, disconnect_user;
  bool any = false;  ///< Some -D was given: the client speaks MQTT 5, as mosquitto's does.

  /// The publication's properties, viewing this object (which must outlive
  /// them and not change while they are used).
  mqtt::PublishProperties publish();
  /// Puts the CONNECT and will properties into `settings`.
  void apply(mqtt::Options& settings) const;
};

/// Reads the -D values (each 3 or 4 words) of command `role` ("pub": connect,
/// publish, will, disconnect; "sub": connect, subscribe, will, disconnect). On a word it cannot
/// take, `error` says which and why and nothing is returned.
std::optional<MqttProperties> parse_properties(const std::vector<std::vector<std::string>>& given,
                                               const std::string& role, std::string& error);

/// What -L says: mqtt(s)|ws(s)://[user[:password]@]host[:port]/topic.
struct MqttUrl {
  bool tls = false;        ///< mqtts:// or wss://
  bool websocket = false;  ///< ws:// or wss://
  std::optional<std::string> user, password;
  std::string host;
  int port = 0;  ///< 1883, 8883, 80, 443 by scheme, unless the URL names one
  std::string topic;
};
/// Reads an -L URL; on text it cannot take, `error` says why.
std::optional<MqttUrl> parse_mqtt_url(const std::string& url, std::string& error);

/// Reads a --proxy URL, http://[user[:password]@]host[:port] (port 80 if none);
/// on text it cannot take, `error` says why.
std::optional<HttpProxy> parse_proxy_url(const std::string& url, std::string& error);

/// An -F format checked for what sockkit prints: empty if it can, or what it cannot.
std::string check_format(const std::string& format);
/// A message printed by an -F format (mosquitto_sub's %-fields and \-escapes).
std::string format_message(const std::string& format, const mqtt::Message& m);

}  // namespace sockkit::cli
