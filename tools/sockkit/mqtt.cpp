// SPDX-License-Identifier: MIT
// `sockkit mqtt pub` and `sockkit mqtt sub`: the MQTT client from the shell,
// with the flags of mosquitto_pub and mosquitto_sub, so a walkthrough works
// with either tool. The commands themselves: mqtt_pub.cpp, mqtt_sub.cpp.

#include <cstdio>

#include "mqtt_command.hpp"

namespace sockkit::cli {

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
  cmd.add_option("-L,--url", f.url,
                 "mqtt(s)|ws(s)://[user[:password]@]host[:port]/topic: broker and topic at once "
                 "(ws, wss: MQTT over a WebSocket)");
  cmd.add_option("--ws-path", f.ws_path, "With -L ws(s)://: the WebSocket's request path")
      ->capture_default_str();
  cmd.add_option("--proxy", f.proxy_url,
                 "http://[user[:password]@]host[:port]: connect through this HTTP proxy (CONNECT)");
  cmd.add_option("--ws-protocol", f.ws_protocol,
                 "With -L ws(s)://: the WebSocket subprotocol offered (default mqtt)");
  cmd.add_option("-x", f.session_expiry,
                 "MQTT 5 session expiry interval in seconds (4294967295: never)");
}

/// Reads -D and checks the flags that go together; false (printed) on a usage error.
bool check_flags(MqttFlags& f, const std::string& role) {
  if (!f.url.empty()) {
    std::string why;
    auto url = parse_mqtt_url(f.url, why);
    if (!url) {
      std::fprintf(stderr, "sockkit: mqtt %s: -L %s\n", role.c_str(), why.c_str());
      return false;
    }
    f.host = url->host;
    f.port = url->port;
    f.url_tls = url->tls;
    f.websocket = url->websocket;
    if (url->user) f.user = *url->user;
    if (url->password) {
      f.password = *url->password;
      f.password_given = true;
    }
    if (role == "pub")
      f.topic = url->topic;
    else
      f.topics.insert(f.topics.begin(), url->topic);
  }
  if ((role == "pub" ? f.topic.empty() : f.topics.empty())) {
    std::fprintf(stderr, "sockkit: mqtt %s: -t or -L is needed\n", role.c_str());
    return false;
  }
  if (!f.websocket && (f.ws_path != "/mqtt" || !f.ws_protocol.empty())) {
    std::fprintf(stderr, "sockkit: mqtt %s: --ws-path and --ws-protocol go with -L ws(s)://\n",
                 role.c_str());
    return false;
  }
  if (!f.proxy_url.empty()) {
    std::string why;
    f.proxy = parse_proxy_url(f.proxy_url, why);
    if (!f.proxy) {
      std::fprintf(stderr, "sockkit: mqtt %s: --proxy %s\n", role.c_str(), why.c_str());
      return false;
    }
  }
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
  if (f.retain_as_published && !f.version.ends_with('5')) {
    std::fprintf(stderr, "sockkit: mqtt %s: --retain-as-published is MQTT 5: add -V mqttv5\n",
                 role.c_str());
    return false;
  }
  if (f.session_expiry && !f.version.ends_with('5')) {
    std::fprintf(stderr, "sockkit: mqtt %s: -x is MQTT 5: add -V mqttv5\n", role.c_str());
    return false;
  }
  return true;
}

Result<mqtt::Options> settings_of(const MqttFlags& f, const char* role) {
  mqtt::Options s;
  const bool tls = !f.cafile.empty() || !f.cert.empty() || !f.psk.empty() || f.url_tls;
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
  s.transport.proxy = f.proxy;
  if (f.websocket) {
    s.transport.websocket = WebSocketOptions{.path = f.ws_path};
    if (!f.ws_protocol.empty()) s.transport.websocket->protocols = {f.ws_protocol};
    if (auto st = check_websocket_options(*s.transport.websocket); !st) return st.error();
  }
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

/// DISCONNECT, flushed; the connection closed or 3 s gone.
void disconnect(EventLoop& loop, mqtt::Client& client, const MqttFlags& f) {
  client.stop(f.properties.disconnect_user);
  loop.run_until([&] { return !client.connected(); },
                 EventLoop::Clock::now() + std::chrono::seconds(3));
}

void add_mqtt(CLI::App& app, int& status) {
  auto* mqtt_cmd =
      app.add_subcommand("mqtt", "MQTT client: publish and subscribe (mosquitto's flags)");
  mqtt_cmd->require_subcommand(1);

  auto pub = std::make_shared<MqttFlags>();
  auto* p = mqtt_cmd->add_subcommand("pub", "Publish a message, as mosquitto_pub");
  add_common(*p, *pub);
  p->add_option("-t,--topic", pub->topic, "Topic");
  auto* msg = p->add_option("-m,--message", pub->message, "Payload");
  auto* file = p->add_option("-f,--file", pub->file, "Payload from a file");
  auto* null = p->add_flag("-n,--null-message", pub->null_message, "Empty payload");
  auto* lines = p->add_flag("-l,--stdin-line", pub->lines, "One message per line of stdin");
  auto* whole = p->add_flag("-s,--stdin-file", pub->whole_stdin, "All of stdin as one message");
  msg->excludes(file)->excludes(null)->excludes(lines)->excludes(whole);
  file->excludes(null)->excludes(lines)->excludes(whole);
  null->excludes(lines)->excludes(whole);
  lines->excludes(whole);
  p->add_option("--repeat", pub->repeat, "Publish the message this many times")->check(kPositive);
  p->add_option("--repeat-delay", pub->repeat_delay, "Seconds between repeated messages")
      ->check(kNonNegative);
  p->add_flag("-r,--retain", pub->retain, "Retain the message");
  p->final_callback([pub, &status, msg, file, null, lines, whole] {
    if (msg->count() + file->count() + null->count() + lines->count() + whole->count() == 0) {
      std::fprintf(stderr, "sockkit: mqtt pub: one of -m, -f, -n, -l or -s is needed\n");
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
  s->add_option("-t,--topic", sub->topics, "Topic filter (repeatable)");
  s->add_option("-T", sub->filtered_out, "Do not print messages on topics this filter takes");
  s->add_option("-U", sub->unsubscribe_first, "Unsubscribe from this filter (repeatable)");
  s->add_flag("-E", sub->exit_when_subscribed, "Exit once every subscription is acknowledged");
  s->add_flag("--retained-only", sub->retained_only,
              "Print retained messages only; exit at the first that is not");
  s->add_flag("--retain-as-published", sub->retain_as_published,
              "MQTT 5: keep the retain flag as published");
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
