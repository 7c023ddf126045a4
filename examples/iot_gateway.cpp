// SPDX-License-Identifier: MIT
// The IoT gateway: sensor nodes send UDP readings ("node-3 21.5"); the gateway
// aggregates them and publishes one summary a second to an MQTT broker over a
// single persistent connection (TLS optional). While the broker is away,
// summaries wait in a bounded outbox; past its bound the oldest are dropped —
// counted and printed, never silent. QoS 1: each summary is acknowledged.
//
//   iot_gateway [options] BROKER
//     --udp ADDR:PORT      where sensors send (default 127.0.0.1:0, printed)
//     --sensors N          simulate N sensor nodes on this machine (threads: not on a board)
//     --seconds S          run S seconds, then stop (default: until Ctrl-C)
//     --cafile CA [--cert FILE --key FILE]   TLS (mutual with a certificate)
//     --id ID              client id and topic part (default gateway-1)
//
// Watch it:  mosquitto_sub -h BROKER_HOST -t 'gateways/#' -v
#include <sockkit/sockkit.hpp>
#include "device_network.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <vector>
#if !defined(SOCKKIT_EXAMPLES_ON_BOARD)
#include <thread>
#endif
using namespace std::chrono_literals;

namespace {
volatile std::sig_atomic_t interrupted = 0;

// Aggregates readings per node between two summaries. The loop reads the
// socket (UdpChannel) and hands over one datagram at a time.
class Readings final : public sockkit::UdpHandler {
 public:
  void on_datagram(sockkit::UdpChannel&, std::span<const std::byte> data,
                   const sockkit::Datagram&) override {
    ++received;
    std::string text(reinterpret_cast<const char*>(data.data()), data.size());
    const auto space = text.find(' ');
    if (space == std::string::npos || space > 32) return;  // malformed reading: ignored
    auto& node = nodes_[text.substr(0, space)];
    node.sum += std::atof(text.c_str() + space + 1);
    ++node.count;
  }
  bool empty() const { return nodes_.empty(); }
  // One summary, then start over.
  std::string summary(int sequence) {
    std::string line = "summary " + std::to_string(sequence);
    for (auto& [name, n] : nodes_) {
      char part[64];
      std::snprintf(part, sizeof part, " %s=%.1f(%d)", name.c_str(), n.sum / n.count, n.count);
      line += part;
    }
    nodes_.clear();
    return line;
  }
  std::uint64_t received = 0;

 private:
  struct Node {
    double sum = 0;
    int count = 0;
  };
  std::map<std::string, Node> nodes_;
};

struct Uplink : sockkit::mqtt::Handler {
  void on_connected(bool) override { std::printf("broker connected\n"); }
  void on_disconnected(sockkit::ErrorCode why) override {
    std::printf("broker lost: %s\n", why.message().c_str());
  }
  void on_connect_failed(sockkit::ErrorCode why) override {
    std::printf("  connect failed: %s\n", why.message().c_str());
  }
  void on_published(std::uint64_t id, sockkit::ErrorCode result) override {
    if (!result && id != status_id) ++acknowledged;
  }
  void on_dropped(std::size_t messages, std::size_t bytes) override {
    std::printf("outbox full: dropped %lu summary (%lu bytes)\n",
                static_cast<unsigned long>(messages), static_cast<unsigned long>(bytes));
  }
  void on_given_up(sockkit::ErrorCode) override { stopped = true; }
  long acknowledged = 0;  // summaries
  std::uint64_t status_id = 0;
  bool stopped = false;
};

const char* arg_after(int& i, int argc, char** argv) {
  return i + 1 < argc ? argv[++i] : "";
}
}  // namespace

int main(int argc, char** argv) {
  if (!sockkit::start_stack()) return 1;  // lwIP: starts it; Linux: nothing to do
  std::string tap_device, tap_address;    // lwIP on a TAP device: examples/device_network.hpp
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string udp_at = "127.0.0.1:0", cafile, cert, key, id = "gateway-1", broker;
  int sensors = 0, seconds = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--udp")
      udp_at = arg_after(i, argc, argv);
    else if (a == "--sensors")
      sensors = std::atoi(arg_after(i, argc, argv));
    else if (a == "--seconds")
      seconds = std::atoi(arg_after(i, argc, argv));
    else if (a == "--cafile")
      cafile = arg_after(i, argc, argv);
    else if (a == "--cert")
      cert = arg_after(i, argc, argv);
    else if (a == "--key")
      key = arg_after(i, argc, argv);
    else if (a == "--id")
      id = arg_after(i, argc, argv);
    else if (a == "--tap") {
      tap_device = arg_after(i, argc, argv);
      tap_address = arg_after(i, argc, argv);
    } else
      broker = a;
  }
  if (broker.empty())
    return std::printf(
               "usage: iot_gateway [--udp ADDR:PORT] [--sensors N] [--seconds S] "
               "[--cafile CA [--cert C --key K]] [--id ID] [--tap DEV ADDR/PREFIX] BROKER\n"),
           2;
#if defined(SOCKKIT_EXAMPLES_ON_BOARD)
  if (sensors > 0) return std::printf("--sensors: a board has no threads; sensors send to it\n"), 2;
#endif
  if (!bring_up_device_network(tap_device, tap_address)) return 1;
  auto loop = sockkit::EventLoop::create();
  if (!loop) return 1;
  auto udp_endpoint = sockkit::Endpoint::parse(udp_at);
  if (!udp_endpoint) return std::printf("--udp %s: not an address\n", udp_at.c_str()), 2;
  auto udp = sockkit::UdpSocket::bind(*udp_endpoint);
  if (!udp) return std::printf("udp bind: %s\n", udp.error().message().c_str()), 1;
  const auto gateway = *udp->local_endpoint();
  std::printf("sensors send to %s\n", gateway.to_string().c_str());
  Readings readings;
  auto sensor_channel =
      sockkit::UdpChannel::create(*loop, std::move(*udp), readings, {.max_datagram = 128});
  if (!sensor_channel) return 1;

  sockkit::mqtt::Options settings;
  settings.target = broker;
  settings.client_id = id;
  settings.keepalive = 10s;
  settings.outbox_bytes = 16 * 1024;  // a device has little RAM: about a minute of summaries
  settings.will = sockkit::mqtt::Will{
      .topic = "gateways/" + id + "/status", .payload = "offline", .retain = true};
  settings.transport.reconnect.initial = 200ms;
  settings.transport.reconnect.max = 5s;
  if (!cafile.empty()) {
    auto tls = sockkit::TlsContext::client(
        {.certificate_file = cert, .private_key_file = key, .ca_file = cafile});
    if (!tls) return std::printf("tls: %s\n", tls.error().message().c_str()), 1;
    settings.transport.tls = *tls;
  }
  Uplink uplink;
  auto client = sockkit::mqtt::Client::create(*loop, settings, uplink);
  if (!client) return std::printf("mqtt: %s\n", client.error().message().c_str()), 1;
  if (auto online = client->publish("gateways/" + id + "/status", "online",
                                    sockkit::mqtt::QoS::at_least_once, true))
    uplink.status_id = *online;
  client->start();

  int sequence = 0;
  loop->add_repeating_timer(1s, [&] {
    if (readings.empty()) return;
    (void)client->publish("gateways/" + id + "/summary", readings.summary(++sequence),
                          sockkit::mqtt::QoS::at_least_once);
  });
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  const auto end = sockkit::EventLoop::Clock::now() + std::chrono::seconds(seconds);
  loop->add_repeating_timer(50ms, [&] {
    const bool over = seconds > 0 && sockkit::EventLoop::Clock::now() >= end;
    if ((interrupted || over) && !uplink.stopped) client->stop();
    if (uplink.stopped) loop->stop();
  });

#if !defined(SOCKKIT_EXAMPLES_ON_BOARD)
  // Simulated sensor nodes, a reading every 20 ms each.
  std::atomic<bool> running{true};
  std::vector<std::thread> nodes;
  for (int n = 0; n < sensors; ++n)
    nodes.emplace_back([&, n] {
      auto s = sockkit::UdpSocket::open(gateway.family());
      for (int i = 0; running && s; ++i) {
        const std::string reading =
            "node-" + std::to_string(n) + " " + std::to_string(20 + n + i % 5);
        (void)s->send_to(reading, gateway);
        std::this_thread::sleep_for(20ms);
      }
    });
  (void)loop->run();
  running = false;
  for (auto& t : nodes)
    t.join();
#else
  (void)loop->run();
#endif
  const auto stats = client->stats();
  // %lu and casts, not %zu: a device's C library may print no C99 sizes (newlib-nano).
  std::printf(
      "received %lu readings; %d summaries published, %ld acknowledged, %lu dropped, "
      "%lu waiting\n",
      static_cast<unsigned long>(readings.received), sequence, uplink.acknowledged,
      static_cast<unsigned long>(stats.dropped_messages),
      static_cast<unsigned long>(stats.outbox_messages));
  return uplink.acknowledged > 0 ? 0 : 1;
}
