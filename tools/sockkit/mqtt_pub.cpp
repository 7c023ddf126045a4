// SPDX-License-Identifier: MIT
// `sockkit mqtt pub`: one message (-m, -f, -n, -s, repeated with --repeat),
// or one per line of stdin (-l), each acknowledged before it exits.

#include <cstdio>

#include "mqtt_command.hpp"
#include "stdin_lines.hpp"

namespace sockkit::cli {
namespace {

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

}  // namespace

int run_pub(const MqttFlags& f) {
  auto settings = settings_of(f, "pub");
  if (!settings) return fail_tls("mqtt pub", settings.error(), files_of(f));
  settings->transport.reconnect.max_attempts = 1;  // a one-shot command does not wait forever
  if (f.lines) return run_pub_lines(f, std::move(*settings));
  std::string body = f.null_message ? std::string() : f.message;
  if (!f.file.empty() || f.whole_stdin) {
    std::FILE* in = f.whole_stdin ? stdin : std::fopen(f.file.c_str(), "rb");
    if (in == nullptr) return fail("mqtt pub " + f.file, {errno, std::system_category()});
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, in)) > 0;)
      body.append(chunk, n);
    if (!f.whole_stdin) std::fclose(in);
  }
  // --repeat: all at once, or one now and the rest --repeat-delay apart.
  const bool spaced = f.repeat_delay > 0;
  const int at_once = spaced ? 1 : f.repeat;
  settings->outbox_messages = static_cast<std::size_t>(f.repeat);
  settings->outbox_bytes = 1u << 30;
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  Watch watch;
  watch.debug = f.debug;
  auto client = mqtt::Client::create(*loop, *settings, watch);
  if (!client) return fail("mqtt pub", client.error());
  MqttProperties properties = f.properties;
  const auto with = properties.publish();
  std::error_code refused;
  auto publish_one = [&] {
    auto id = client->publish(f.topic, body, static_cast<mqtt::QoS>(f.qos), f.retain, with);
    if (!id) refused = id.error();
    if (id) ++watch.unpublished;
  };
  for (int i = 0; i < at_once && !refused; ++i)
    publish_one();
  if (refused) return fail("mqtt pub " + f.topic, refused);
  client->start();
  for (int left = f.repeat - at_once; left > 0;) {
    const auto gap = to_millis(f.repeat_delay);
    auto timer = loop->add_timer(gap, [&] {
      publish_one();
      --left;
    });
    if (timer == 0) return fail("mqtt pub", make_error_code(failure::timers_exhausted));
    loop->run_until([&] { return left == 0 || refused || watch.failed || watch.lost; },
                    EventLoop::Clock::now() + gap + std::chrono::seconds(1));
    if (refused) return fail("mqtt pub " + f.topic, refused);
    if (watch.failed || watch.lost) break;  // finish_pub says why
  }
  return finish_pub(*loop, *client, watch, f, settings->version,
                    EventLoop::Clock::now() + to_millis(f.timeout) + std::chrono::seconds(1), true);
}

}  // namespace sockkit::cli
