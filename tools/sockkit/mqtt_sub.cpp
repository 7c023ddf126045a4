// SPDX-License-Identifier: MIT
// `sockkit mqtt sub`: subscribe and print what arrives (-F, -v, -N), filtered
// (-R, -T, --retained-only), until -C messages, -W seconds or -E.

#include <cstdio>

#include "mqtt_command.hpp"

namespace sockkit::cli {

int run_sub(const MqttFlags& f) {
  auto settings = settings_of(f, "sub");
  if (!settings) return fail_tls("mqtt sub", settings.error(), files_of(f));
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  Watch watch;
  watch.debug = f.debug;
  int received = 0;
  bool fresh_seen = false;  // --retained-only: a message that was not retained came
  watch.on_msg = [&](const mqtt::Message& m) {
    if (f.skip_retained && m.retain) return;
    if (f.retained_only && !m.retain) {
      fresh_seen = true;
      return;
    }
    for (const auto& filter : f.filtered_out)
      if (mqtt::topic_matches(filter, m.topic)) return;
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
  for (const auto& filter : f.unsubscribe_first)
    if (auto st = client->unsubscribe(filter); !st) return fail("mqtt sub -U", st.error());
  std::vector<mqtt::Subscription> subs;
  for (const auto& t : f.topics)
    subs.push_back({.filter = t,
                    .qos = static_cast<mqtt::QoS>(f.qos),
                    .retain_as_published = f.retain_as_published,
                    .id = f.properties.subscription_id,
                    .user_properties = f.properties.subscribe_user});
  if (auto st = client->subscribe(subs); !st) return fail("mqtt sub", st.error());
  client->start();
  const auto deadline = f.wait_s > 0 ? EventLoop::Clock::now() + std::chrono::seconds(f.wait_s)
                                     : EventLoop::Clock::time_point::max();
  loop->run_until(
      [&] {
        return (f.count > 0 && received >= f.count) || (watch.failed && !watch.connected) ||
               (f.exit_when_subscribed && watch.subscriptions_answered >= subs.size()) ||
               fresh_seen;
      },
      deadline);
  if ((f.exit_when_subscribed && watch.subscriptions_answered >= subs.size()) || fresh_seen) {
    if (watch.failed) return mqtt_fail("mqtt sub", watch, watch.failed, settings->version);
    disconnect(*loop, *client, f);
    return 0;
  }
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

}  // namespace sockkit::cli
