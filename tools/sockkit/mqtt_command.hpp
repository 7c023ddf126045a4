// SPDX-License-Identifier: MIT
// What `sockkit mqtt pub` and `sockkit mqtt sub` share: their flags, the
// handler that watches the client, and how a failure becomes the exit status
// mosquitto's clients give it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "mqtt_properties.hpp"

namespace sockkit::cli {

struct MqttFlags {
  std::string host = "localhost";
  int port = 0;  // 0: 1883, or 8883 with TLS
  std::string unix_socket;
  std::string id;
  std::string user;
  std::string password;
  bool password_given = false;
  int qos = 0;
  std::string version = "mqttv311";
  int keepalive = 60;
  bool no_clean = false;
  std::string cafile, cert, key;
  std::string psk, psk_identity;
  bool insecure = false;
  std::string will_topic, will_payload;
  int will_qos = 0;
  bool will_retain = false;
  double timeout = 10;
  bool debug = false;
  std::vector<std::vector<std::string>> property_words;  // -D, as given
  MqttProperties properties;                             // -D, read
  std::optional<std::uint32_t> session_expiry;           // -x
  // pub
  std::string topic, message, file;
  bool null_message = false, lines = false, retain = false;
  // sub
  std::vector<std::string> topics;
  int count = 0;
  bool verbose = false, no_newline = false, skip_retained = false;
  std::string format;                                        // -F
  std::vector<std::string> filtered_out, unsubscribe_first;  // -T, -U
  bool exit_when_subscribed = false, retained_only = false, retain_as_published = false;
  // both
  std::string url;  // -L
  bool url_tls = false;
  bool websocket = false;         // -L ws:// or wss://
  std::string ws_path = "/mqtt";  // --ws-path
  std::string ws_protocol;        // --ws-protocol; empty: "mqtt"
  std::string proxy_url;          // --proxy http://[user[:password]@]host[:port]
  std::optional<HttpProxy> proxy;
  // pub
  bool whole_stdin = false;  // -s
  int repeat = 1;
  double repeat_delay = 0;
  int wait_s = 0;
};

struct Watch : mqtt::Handler {
  bool debug = false;
  bool connected = false;
  bool refused = false;  // at CONNACK
  bool lost = false;     // the connection went down after CONNACK
  std::error_code lost_why;
  bool ever_connected = false;
  std::error_code failed;
  std::function<void(const mqtt::Message&)> on_msg;
  std::size_t unpublished = 0;
  std::function<void()> on_done;  // after each completed publication
  std::size_t subscriptions_answered = 0;

  void on_connected(bool session_present) override {
    connected = true;
    ever_connected = true;
    if (debug) std::fprintf(stderr, "connected (session present: %d)\n", session_present);
  }
  void on_disconnected(std::error_code why) override {
    if (debug) std::fprintf(stderr, "disconnected: %s\n", why.message().c_str());
    if (!connected && !failed) {  // refused at CONNACK: never retried from here
      failed = why;
      refused = why.category() == mqtt::category();
    }
    if (connected && why && why != failure::stopped) {
      lost = true;
      lost_why = why;
    }
    connected = false;
  }
  void on_connect_failed(std::error_code why) override {
    if (debug) std::fprintf(stderr, "connect failed: %s\n", why.message().c_str());
    if (!failed) failed = why;
  }
  void on_published(std::uint64_t, std::error_code result) override {
    if (unpublished > 0) --unpublished;
    if (result && !failed) failed = result;
    if (on_done) on_done();
  }
  void on_subscribed(std::span<const mqtt::Subscription> asked,
                     std::span<const std::error_code> results) override {
    subscriptions_answered += results.size();
    for (std::size_t i = 0; i < results.size(); ++i)
      if (results[i]) {
        std::fprintf(stderr, "sockkit: subscription %s refused: %s\n", asked[i].filter.c_str(),
                     results[i].message().c_str());
        if (!failed) failed = results[i];
      }
  }
  void on_message(const mqtt::Message& m) override {
    if (on_msg) on_msg(m);
  }
  void on_given_up(std::error_code last) override {
    if (!failed && last != failure::stopped) failed = last;
  }
};

/// The flags both commands take.
void add_common(CLI::App& cmd, MqttFlags& f);
/// Reads -L and -D and checks the flags that go together; false (printed) on a usage error.
bool check_flags(MqttFlags& f, const std::string& role);
/// The client's settings from the flags (TLS context made here).
Result<mqtt::Options> settings_of(const MqttFlags& f, const char* role);
/// The TLS files named, for fail_tls().
std::vector<TlsFile> files_of(const MqttFlags& f);
/// The exit status of a failure, as mosquitto's clients give it (printed).
int mqtt_fail(const char* what, const Watch& w, std::error_code why, mqtt::Version version);
/// DISCONNECT, flushed; the connection closed or 3 s gone.
void disconnect(EventLoop& loop, mqtt::Client& client, const MqttFlags& f);
/// `sockkit mqtt pub` (mqtt_pub.cpp). @return the exit status.
int run_pub(const MqttFlags& f);
/// `sockkit mqtt sub` (mqtt_sub.cpp). @return the exit status.
int run_sub(const MqttFlags& f);

}  // namespace sockkit::cli
