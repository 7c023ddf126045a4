// SPDX-License-Identifier: MIT
// A smart meter that survives a dead link: it publishes a reading every second to an
// MQTT broker and survives every fault on the way — TCP keepalive and MQTT's
// PINGREQ find a dead path, reconnects back off from 1 s to 60 s with jitter,
// readings wait in a bounded outbox (on disk with --store) and QoS 1 makes
// sure each one arrives. It listens for commands on meters/ID/cmd.
//
//   smart_meter [options] BROKER            e.g. localhost:1883, broker.example:8883
//     --id ID               client id and topic part (default meter-1)
//     --cafile CA           TLS, trusting CA (port 8883 by convention)
//     --cert FILE --key FILE  mutual TLS
//     --store DIR           unacknowledged readings survive a restart
//     --fast                second-scale timers: keepalive 2 s, a reading every 200 ms
//     --count N             stop after N readings are acknowledged
//     --qos 2               exactly once: no reading twice, even across a reconnect
//                           (default 1: at least once)
//     --dns ADDRESS         on lwIP: the DNS server the stack asks for BROKER's name
//
// Watch it:  mosquitto_sub -h BROKER_HOST -t 'meters/#' -v
// Command:   mosquitto_pub -h BROKER_HOST -t meters/meter-1/cmd -m 'report now'
#include <sockkit/sockkit.hpp>
#include "device_network.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
using namespace std::chrono_literals;

namespace {
volatile std::sig_atomic_t interrupted = 0;
// Taken with the static constructors, before main(): on a board, at boot.
const auto program_start = std::chrono::steady_clock::now();

struct Meter : sockkit::mqtt::Handler {
  void on_connected(bool session_present) override {
    std::printf("connected (session %s)\n", session_present ? "resumed" : "new");
    ++connects;
  }
  void on_disconnected(sockkit::ErrorCode why) override {
    std::printf("disconnected: %s (%s)\n", why.message().c_str(),
                sockkit::to_string(sockkit::classify(why)));
  }
  void on_connect_failed(sockkit::ErrorCode why) override {
    std::printf("  connect failed: %s (%s)\n", why.message().c_str(),
                sockkit::to_string(sockkit::classify(why)));
  }
  void on_published(std::uint64_t id, sockkit::ErrorCode result) override {
    if (!result && !first_acknowledged) {  // how long a device takes to be heard
      first_acknowledged = true;
      const auto taken = std::chrono::steady_clock::now() - program_start;
      std::printf(
          "first message acknowledged %ld ms after start\n",
          static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(taken).count()));
    }
    if (id == status_id) return;  // "online" or "offline", not a reading
    if (result)
      std::printf("reading refused: %s\n", result.message().c_str());
    else
      ++acknowledged;
  }
  void on_message(const sockkit::mqtt::Message& m) override {
    std::printf("command on %.*s: %.*s\n", static_cast<int>(m.topic.size()), m.topic.data(),
                static_cast<int>(m.payload.size()),
                reinterpret_cast<const char*>(m.payload.data()));
  }
  void on_dropped(std::size_t messages, std::size_t) override {
    std::printf("outbox full: dropped %lu reading(s)\n", static_cast<unsigned long>(messages));
  }
  void on_given_up(sockkit::ErrorCode last) override {
    std::printf("stopped: %s\n", last.message().c_str());
    stopped = true;
  }
  bool first_acknowledged = false;
  int connects = 0;
  long acknowledged = 0;
  std::uint64_t status_id = 0;
  bool stopped = false;
  bool stopping = false;
};

const char* arg_after(int& i, int argc, char** argv) {
  return i + 1 < argc ? argv[++i] : "";
}
}  // namespace

int main(int argc, char** argv) {
  if (!sockkit::start_stack()) return 1;     // lwIP: starts it; Linux: nothing to do
  std::string tap_device, tap_address;       // lwIP on a TAP device: examples/device_network.hpp
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // events appear as they happen, even in a pipe
  std::string id = "meter-1", cafile, cert, key, store_dir, broker, dns;
  bool fast = false;
  long count = 0;
  auto qos = sockkit::mqtt::QoS::at_least_once;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--id")
      id = arg_after(i, argc, argv);
    else if (a == "--cafile")
      cafile = arg_after(i, argc, argv);
    else if (a == "--cert")
      cert = arg_after(i, argc, argv);
    else if (a == "--key")
      key = arg_after(i, argc, argv);
    else if (a == "--store")
      store_dir = arg_after(i, argc, argv);
    else if (a == "--count")
      count = std::atol(arg_after(i, argc, argv));
    else if (a == "--fast")
      fast = true;
    else if (a == "--qos")
      qos = std::atoi(arg_after(i, argc, argv)) == 2 ? sockkit::mqtt::QoS::exactly_once
                                                     : sockkit::mqtt::QoS::at_least_once;
    else if (a == "--dns")
      dns = arg_after(i, argc, argv);
    else if (a == "--tap") {
      tap_device = arg_after(i, argc, argv);
      tap_address = arg_after(i, argc, argv);
    } else
      broker = a;
  }
  if (broker.empty())
    return std::printf(
               "usage: smart_meter [--id ID] [--cafile CA [--cert C --key K]] "
               "[--store DIR] [--fast] [--count N] [--qos 2] [--dns ADDRESS] "
               "[--tap DEV ADDR/PREFIX] BROKER\n"),
           2;
  if (!bring_up_device_network(tap_device, tap_address)) return 1;
  if (!dns.empty()) {  // the stack's servers: sockkit's resolver and lwIP's client both ask them
    auto server = sockkit::Endpoint::parse(dns + ":53");
    if (!server) return std::printf("--dns %s: not an IPv4 address\n", dns.c_str()), 2;
    const sockkit::Endpoint servers[] = {*server};
    if (auto st = sockkit::set_stack_dns_servers(servers); !st)
      return std::printf("--dns: %s\n", st.error().message().c_str()), 1;
  }
  auto loop = sockkit::EventLoop::create();
  if (!loop) return std::printf("loop: %s\n", loop.error().message().c_str()), 1;

  sockkit::mqtt::Options settings;
  settings.target = broker;
  settings.client_id = id;
  settings.clean_session = false;  // the broker keeps our session across reconnects
  settings.session_expiry = 24h;
  settings.keepalive = fast ? 2s : 30s;  // a dead broker is noticed within 1.5 x this
  settings.will = sockkit::mqtt::Will{
      .topic = "meters/" + id + "/status", .payload = "offline", .retain = true};
  settings.outbox_messages = 3600;  // an hour of readings while the cloud is away
  settings.transport.reconnect.initial = fast ? 250ms : 1s;  // 1, 2, 4 … 60 s
  settings.transport.reconnect.max = fast ? 1s : 60s;
  settings.transport.connect_timeout = fast ? 2s : 10s;
  if (!cafile.empty()) {
    auto tls = sockkit::TlsContext::client(
        {.certificate_file = cert, .private_key_file = key, .ca_file = cafile});
    if (!tls) return std::printf("tls: %s\n", tls.error().message().c_str()), 1;
    settings.transport.tls = *tls;
  }
#if defined(SOCKKIT_EXAMPLES_ON_BOARD)
  if (!store_dir.empty()) return std::printf("--store: this board has no file system\n"), 2;
#else
  std::optional<sockkit::mqtt::FileStore> store;
  if (!store_dir.empty()) {
    auto s = sockkit::mqtt::FileStore::open(store_dir);
    if (!s) return std::printf("store: %s\n", s.error().message().c_str()), 1;
    store = std::move(*s);
    settings.store = (store ? &*store : nullptr);
  }
#endif

  Meter meter;
  auto client = sockkit::mqtt::Client::create(*loop, settings, meter);
  if (!client) return std::printf("mqtt: %s\n", client.error().message().c_str()), 1;
  if (auto waiting = client->stats().outbox_messages; waiting > 0)
    std::printf("%lu reading(s) from the last run still to send\n",
                static_cast<unsigned long>(waiting));
  (void)client->subscribe("meters/" + id + "/cmd", sockkit::mqtt::QoS::at_least_once);
  if (auto online = client->publish("meters/" + id + "/status", "online",
                                    sockkit::mqtt::QoS::at_least_once, true))
    meter.status_id = *online;
  client->start();

  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  long reading = 0;
  loop->add_repeating_timer(fast ? 200ms : 1s, [&] {
    if (count > 0 && reading >= count) return;
    const std::string text = "reading " + std::to_string(++reading) + " kWh";
    (void)client->publish("meters/" + id + "/reading", text, qos);  // queued while offline
  });
  loop->add_repeating_timer(50ms, [&] {
    const bool done = count > 0 && meter.acknowledged >= count;
    if ((interrupted || done) && !meter.stopping) {
      meter.stopping = true;
      if (auto offline = client->publish("meters/" + id + "/status", "offline",
                                         sockkit::mqtt::QoS::at_most_once, true))
        meter.status_id = *offline;
      client->stop();  // DISCONNECT after what is queued: the will is not sent
    }
    if (meter.stopped) loop->stop();
  });
  (void)loop->run();
  const auto stats = client->stats();
  // %lu and casts, not %zu: a device's C library may print no C99 sizes (newlib-nano).
  std::printf("connected %d times, %ld readings, %ld acknowledged, %lu dropped, %lu waiting\n",
              meter.connects, reading, meter.acknowledged,
              static_cast<unsigned long>(stats.dropped_messages),
              static_cast<unsigned long>(stats.outbox_messages));
  return count > 0 && meter.acknowledged < count ? 1 : 0;
}
