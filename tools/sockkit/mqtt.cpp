// SPDX-License-Identifier: MIT
// `sockkit mqtt pub` and `sockkit mqtt sub`: the MQTT client from the shell,
// with the flags of mosquitto_pub and mosquitto_sub, so a walkthrough works
// with either tool.

#include <cstdio>
#include <iostream>
#include <iterator>

#include "common.hpp"
#include "mqtt_properties.hpp"
#include "stdin_lines.hpp"

namespace sockkit::cli {
namespace {

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
  std::string format;  // -F
  int wait_s = 0;
};

void add_common(CLI::App& cmd, MqttFlags& f) {
  cmd.set_help_flag("--help", "Print this help and exit");  // -h is the host, as in mosquitto
  cmd.footer(
      "Exit status, as mosquitto's clients: 0 done; a broker's refusal of CONNECT exits with "
      "its code (MQTT 3.1.1: 1-5, MQTT 5: 128-162); 7 connection lost; 8 TLS failure; 27 -W "
      "timed out; 1 any other failure. Unlike mosquitto's (1), a usage error exits 2.");
  cmd.add_option("-h,--host", f.host, "Broker host")->capture_default_str();
  cmd.add_option("-p,--port", f.port, "Broker port (default 1883, 8883 with TLS)")
      ->check(CLI::Range(1, 65535));
  cmd.add_option("--unix", f.unix_socket, "Broker's Unix socket instead of host and port");
  cmd.add_option("-i,--id", f.id, "Client id (default: sockkit-pub|sub-PID)");
  cmd.add_option("-u,--username", f.user, "User name");
  cmd.add_option("-P,--pw", f.password, "Password")->each([&f](const std::string&) {
    f.password_given = true;
  });
  cmd.add_option("-q,--qos", f.qos, "Quality of service 0, 1 or 2")
      ->capture_default_str()
      ->check(CLI::Range(0, 2));
  cmd.add_option("-V,--protocol-version", f.version, "mqttv31 (31), mqttv311 (311) or mqttv5 (5)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mqttv31", "31", "mqttv311", "311", "mqttv5", "5"}));
  cmd.add_option("-k,--keepalive", f.keepalive, "Keepalive in seconds, 5-65535 (as mosquitto's)")
      ->capture_default_str()
      ->check(CLI::Range(5, 65535));
  cmd.add_flag("-c,--disable-clean-session", f.no_clean, "Resume a persistent session");
  cmd.add_option("--cafile", f.cafile, "Trusted CA, PEM: turns TLS on");
  cmd.add_option("--cert", f.cert, "Client certificate for mutual TLS, PEM");
  cmd.add_option("--key", f.key, "Its private key, PEM");
  cmd.add_option("--psk", f.psk, "TLS-PSK key in hex (no 0x): turns TLS on, no certificates");
  cmd.add_option("--psk-identity", f.psk_identity, "The identity the --psk key goes by");
  cmd.add_flag("--insecure", f.insecure,
               "Do not verify the broker's certificate at all (INSECURE; wider than mosquitto's)");
  cmd.add_option("--will-topic", f.will_topic, "Topic of the last will");
  cmd.add_option("--will-payload", f.will_payload, "Payload of the last will");
  cmd.add_option("--will-qos", f.will_qos, "QoS of the last will")->check(CLI::Range(0, 2));
  cmd.add_flag("--will-retain", f.will_retain, "Retain the last will");
  cmd.add_option("--timeout", f.timeout, "Give up connecting after this many seconds")
      ->capture_default_str()
      ->check(kPositive);
  cmd.add_flag("-d,--debug", f.debug, "Print connection events on stderr");
  cmd.add_option("-D,--property", f.property_words,
                 "MQTT 5 property: COMMAND IDENTIFIER VALUE, or COMMAND user-property NAME VALUE "
                 "(as mosquitto's; makes the client MQTT 5)")
      ->type_size(3, 4);
  cmd.add_option("-x", f.session_expiry,
                 "MQTT 5 session expiry interval in seconds (4294967295: never)");
}

/// Reads -D and checks the flags that go together; false (printed) on a usage error.
bool check_flags(MqttFlags& f, const std::string& role) {
  if (f.psk.empty() != f.psk_identity.empty()) {
    std::fprintf(stderr, "sockkit: mqtt %s: --psk and --psk-identity go together\n", role.c_str());
    return false;
  }
  std::string error;
  auto properties = parse_properties(f.property_words, role, error);
  if (!properties) {
    std::fprintf(stderr, "sockkit: mqtt %s: -D %s\n", role.c_str(), error.c_str());
    return false;
  }
  f.properties = std::move(*properties);
  if (f.properties.any) f.version = "mqttv5";  // as mosquitto's clients do
  if (f.session_expiry && !f.version.ends_with('5')) {
    std::fprintf(stderr, "sockkit: mqtt %s: -x is MQTT 5: add -V mqttv5\n", role.c_str());
    return false;
  }
  return true;
}

Result<mqtt::Options> settings_of(const MqttFlags& f, const char* role) {
  mqtt::Options s;
  const bool tls = !f.cafile.empty() || !f.cert.empty() || !f.psk.empty();
  const int port = f.port != 0 ? f.port : tls ? 8883 : 1883;
  const bool v6 = f.host.find(':') != std::string::npos;
  s.target = !f.unix_socket.empty() ? "unix:" + f.unix_socket
             : v6                   ? "[" + f.host + "]:" + std::to_string(port)
                                    : f.host + ":" + std::to_string(port);
  s.version = f.version.ends_with('5')     ? mqtt::Version::v5
              : f.version.ends_with("311") ? mqtt::Version::v3_1_1
                                           : mqtt::Version::v3_1;
  s.client_id = !f.id.empty() ? f.id
                              : std::string("sockkit-") + role + "-" +
                                    std::to_string(static_cast<long>(::getpid()));
  s.clean_session = !f.no_clean;
  s.max_packet_size = 268435455 + 5;  // MQTT's own limit: as mosquitto's clients, no smaller one
  if (f.no_clean) s.session_expiry = std::chrono::hours(24 * 365);  // as mosquitto_sub -c
  if (f.session_expiry) s.session_expiry = std::chrono::seconds(*f.session_expiry);
  s.keepalive = std::chrono::seconds(f.keepalive);
  if (!f.user.empty()) s.user_name = f.user;
  if (f.password_given) s.password = f.password;
  if (!f.will_topic.empty())
    s.will = mqtt::Will{.topic = f.will_topic,
                        .payload = f.will_payload,
                        .qos = static_cast<mqtt::QoS>(f.will_qos),
                        .retain = f.will_retain};
  f.properties.apply(s);
  s.transport.connect_timeout = to_millis(f.timeout);
  if (tls) {
    TlsClientFlags flags;
    flags.enabled = true;
    flags.ca = f.cafile;
    flags.cert = f.cert;
    flags.key = f.key;
    flags.insecure = f.insecure;
    flags.psk_hex = f.psk;
    flags.psk_identity = f.psk_identity;
    auto context = make_client_tls(flags, f.host + ":0");
    if (!context) return context.error();
    s.transport.tls = *context;
  }
  return s;
}

std::vector<TlsFile> files_of(const MqttFlags& f) {
  return {{"--cafile", f.cafile}, {"--cert", f.cert}, {"--key", f.key}};
}

/// What both commands watch: the first failure ends them.
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

/// mosquitto_pub's and mosquitto_sub's exit statuses, so scripts written for
/// them work: a CONNACK refusal exits with its code (MQTT 3.1.1's return code
/// 1-5, MQTT 5's reason code), a TLS failure 8, a connection lost 7; anything
/// else 1. The message is printed as fail() prints it.
int mqtt_fail(const char* what, const Watch& w, std::error_code why, mqtt::Version version) {
  const int printed = fail(what, why);
  if (w.refused && why.category() == mqtt::category() && why.value() < 0x100) {
    if (version == mqtt::Version::v5) return why.value();
    switch (static_cast<mqtt::reason>(why.value())) {
      case mqtt::reason::unsupported_protocol_version:
        return 1;
      case mqtt::reason::client_identifier_not_valid:
        return 2;
      case mqtt::reason::server_unavailable:
        return 3;
      case mqtt::reason::bad_user_name_or_password:
        return 4;
      case mqtt::reason::not_authorized:
        return 5;
      default:
        return printed;
    }
  }
  const errc cond = classify(why);
  if (cond >= errc::tls_untrusted && cond <= errc::tls_protocol_error) return 8;
  if (w.lost) return 7;
  return printed;
}

/// Messages still unacknowledged at the end: a broker that never connected,
/// or one that took them and never answered — two different stories.
int unacknowledged(const Watch& w, const MqttFlags& f) {
  if (!w.ever_connected) return fail("mqtt pub", make_error_code(failure::connect_timeout));
  std::fprintf(stderr,
               "sockkit: mqtt pub: %zu message(s) not acknowledged within %g s of the "
               "connection [timed_out]\n",
               w.unpublished, f.timeout);
  return w.lost ? 7 : 1;
}

/// DISCONNECT, flushed; the connection closed or 3 s gone.
void disconnect(EventLoop& loop, mqtt::Client& client, const MqttFlags& f) {
  client.stop(f.properties.disconnect_user);
  loop.run_until([&] { return !client.connected(); },
                 EventLoop::Clock::now() + std::chrono::seconds(3));
}

/// pub's end: every message acknowledged by `deadline`, then DISCONNECT; or why
/// not. `once`: a lost connection ends it at once, as it ends mosquitto_pub.
int finish_pub(EventLoop& loop, mqtt::Client& client, const Watch& watch, const MqttFlags& f,
               mqtt::Version version, EventLoop::Clock::time_point deadline, bool once) {
  loop.run_until([&] { return watch.unpublished == 0 || watch.failed || (once && watch.lost); },
                 deadline);
  if (watch.failed) return mqtt_fail("mqtt pub", watch, watch.failed, version);
  if (once && watch.lost && watch.unpublished > 0) {
    fail("mqtt pub: connection lost", watch.lost_why);
    return 7;
  }
  if (watch.unpublished > 0) return unacknowledged(watch, f);
  disconnect(loop, client, f);
  return 0;
}

int run_pub_lines(const MqttFlags& f, mqtt::Options settings) {
  settings.outbox_messages = StdinLines::kWindow + 1;
  settings.outbox_bytes = std::size_t{StdinLines::kWindow + 1} * (StdinLines::kMaxLine + 256);
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  Watch watch;
  watch.debug = f.debug;
  auto client = mqtt::Client::create(*loop, settings, watch);
  if (!client) return fail("mqtt pub", client.error());
  MqttProperties properties = f.properties;
  const auto with = properties.publish();
  StdinLines lines(*loop, [&](std::string_view line) -> Status {
    auto id = client->publish(f.topic, line, static_cast<mqtt::QoS>(f.qos), f.retain, with);
    if (!id) return id.error();
    ++watch.unpublished;
    return {};
  });
  watch.on_done = [&] { lines.room(watch.unpublished); };
  client->start();
  lines.start();
  // Connecting is bounded by --timeout; after that stdin decides how long this runs.
  const auto connect_deadline = EventLoop::Clock::now() + to_millis(f.timeout);
  loop->run_until([&] { return watch.connected || watch.failed; }, connect_deadline);
  if (!watch.connected && !watch.failed)
    return fail("mqtt pub", make_error_code(failure::connect_timeout));
  loop->run_until([&] { return watch.failed || lines.error() || lines.done(); },
                  EventLoop::Clock::time_point::max());
  if (lines.error()) return fail("mqtt pub: stdin", lines.error());
  return finish_pub(*loop, *client, watch, f, settings.version,
                    EventLoop::Clock::now() + to_millis(f.timeout), false);
}

int run_pub(const MqttFlags& f) {
  auto settings = settings_of(f, "pub");
  if (!settings) return fail_tls("mqtt pub", settings.error(), files_of(f));
  settings->transport.reconnect.max_attempts = 1;  // a one-shot command does not wait forever
  std::vector<std::string> messages;
  if (f.lines) {
    return run_pub_lines(f, std::move(*settings));
  } else if (!f.file.empty()) {
    std::FILE* in = std::fopen(f.file.c_str(), "rb");
    if (in == nullptr) return fail("mqtt pub " + f.file, {errno, std::system_category()});
    std::string body;
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, in)) > 0;)
      body.append(chunk, n);
    std::fclose(in);
    messages.push_back(body);
  } else {
    messages.push_back(f.null_message ? std::string() : f.message);
  }
  settings->outbox_messages = std::max<std::size_t>(messages.size(), 1);
  settings->outbox_bytes = 1u << 30;
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  Watch watch;
  watch.debug = f.debug;
  auto client = mqtt::Client::create(*loop, *settings, watch);
  if (!client) return fail("mqtt pub", client.error());
  MqttProperties properties = f.properties;
  const auto with = properties.publish();
  for (const auto& m : messages) {
    auto id = client->publish(f.topic, m, static_cast<mqtt::QoS>(f.qos), f.retain, with);
    if (!id) return fail("mqtt pub " + f.topic, id.error());
    ++watch.unpublished;
  }
  client->start();
  return finish_pub(*loop, *client, watch, f, settings->version,
                    EventLoop::Clock::now() + to_millis(f.timeout) + std::chrono::seconds(1), true);
}

int run_sub(const MqttFlags& f) {
  auto settings = settings_of(f, "sub");
  if (!settings) return fail_tls("mqtt sub", settings.error(), files_of(f));
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  Watch watch;
  watch.debug = f.debug;
  int received = 0;
  watch.on_msg = [&](const mqtt::Message& m) {
    if (f.skip_retained && m.retain) return;
    if (f.count > 0 && received >= f.count) return;
    ++received;
    if (!f.format.empty()) {
      const std::string line = format_message(f.format, m);
      std::fwrite(line.data(), 1, line.size(), stdout);
    } else {
      if (f.verbose) std::printf("%.*s ", static_cast<int>(m.topic.size()), m.topic.data());
      std::fwrite(m.payload.data(), 1, m.payload.size(), stdout);
    }
    if (!f.no_newline) std::fputc('\n', stdout);
    std::fflush(stdout);
  };
  auto client = mqtt::Client::create(*loop, *settings, watch);
  if (!client) return fail("mqtt sub", client.error());
  std::vector<mqtt::Subscription> subs;
  for (const auto& t : f.topics)
    subs.push_back(
        {.filter = t, .qos = static_cast<mqtt::QoS>(f.qos), .id = f.properties.subscription_id});
  if (auto st = client->subscribe(subs); !st) return fail("mqtt sub", st.error());
  client->start();
  const auto deadline = f.wait_s > 0 ? EventLoop::Clock::now() + std::chrono::seconds(f.wait_s)
                                     : EventLoop::Clock::time_point::max();
  loop->run_until(
      [&] { return (f.count > 0 && received >= f.count) || (watch.failed && !watch.connected); },
      deadline);
  if (watch.failed && (f.count == 0 || received < f.count))
    return mqtt_fail("mqtt sub", watch, watch.failed, settings->version);
  if (f.count > 0 && received < f.count) {
    std::fprintf(stderr, "sockkit: mqtt sub: timed out after %d s with %d of %d messages\n",
                 f.wait_s, received, f.count);
    return 27;  // mosquitto_sub's exit status for -W
  }
  if (f.count == 0 && f.wait_s > 0) {  // -W alone ends as mosquitto_sub's does: timed out
    std::fprintf(stderr, "sockkit: mqtt sub: timed out after %d s with %d messages\n", f.wait_s,
                 received);
    disconnect(*loop, *client, f);
    return 27;
  }
  disconnect(*loop, *client, f);
  return 0;
}

}  // namespace

void add_mqtt(CLI::App& app, int& status) {
  auto* mqtt_cmd =
      app.add_subcommand("mqtt", "MQTT client: publish and subscribe (mosquitto's flags)");
  mqtt_cmd->require_subcommand(1);

  auto pub = std::make_shared<MqttFlags>();
  auto* p = mqtt_cmd->add_subcommand("pub", "Publish a message, as mosquitto_pub");
  add_common(*p, *pub);
  p->add_option("-t,--topic", pub->topic, "Topic")->required();
  auto* msg = p->add_option("-m,--message", pub->message, "Payload");
  auto* file = p->add_option("-f,--file", pub->file, "Payload from a file");
  auto* null = p->add_flag("-n,--null-message", pub->null_message, "Empty payload");
  auto* lines = p->add_flag("-l,--stdin-line", pub->lines, "One message per line of stdin");
  msg->excludes(file)->excludes(null)->excludes(lines);
  file->excludes(null)->excludes(lines);
  null->excludes(lines);
  p->add_flag("-r,--retain", pub->retain, "Retain the message");
  p->final_callback([pub, &status, msg, file, null, lines] {
    if (msg->count() + file->count() + null->count() + lines->count() == 0) {
      std::fprintf(stderr, "sockkit: mqtt pub: one of -m, -f, -n or -l is needed\n");
      status = 2;
      return;
    }
    if (!check_flags(*pub, "pub")) {
      status = 2;
      return;
    }
    status = run_pub(*pub);
  });

  auto sub = std::make_shared<MqttFlags>();
  auto* s = mqtt_cmd->add_subcommand("sub", "Subscribe and print messages, as mosquitto_sub");
  add_common(*s, *sub);
  s->add_option("-t,--topic", sub->topics, "Topic filter (repeatable)")->required();
  s->add_option("-C", sub->count, "Exit after this many messages")->check(kPositive);
  s->add_flag("-v,--verbose", sub->verbose, "Print the topic before the payload");
  s->add_flag("-N", sub->no_newline, "No newline after the payload");
  s->add_flag("-R", sub->skip_retained, "Do not print retained messages");
  s->add_option("-W", sub->wait_s, "Exit after this many seconds (status 27 if -C not reached)")
      ->check(kPositive);
  s->add_option("-F", sub->format,
                "Output format, as mosquitto_sub's: %t topic, %p payload, %q QoS, %r retained, "
                "%l length, %x/%X hex, %C %D %E %F %P %R %S MQTT 5 properties, \\n \\t");
  s->final_callback([sub, &status] {
    if (const std::string why = check_format(sub->format); !why.empty()) {
      std::fprintf(stderr, "sockkit: mqtt sub: %s\n", why.c_str());
      status = 2;
      return;
    }
    if (!check_flags(*sub, "sub")) {
      status = 2;
      return;
    }
    if (sub->no_clean && sub->id.empty()) {  // a session nobody could ever resume
      std::fprintf(stderr, "sockkit: mqtt sub: -c needs a client id (-i)\n");
      status = 2;
      return;
    }
    status = run_sub(*sub);
  });
}

}  // namespace sockkit::cli
