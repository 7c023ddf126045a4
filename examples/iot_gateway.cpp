// The IoT gateway: sensor nodes send UDP readings; the gateway aggregates them
// and forwards a summary over one persistent TCP upstream connection. While
// upstream is down, summaries wait in the bounded outbox; past its bound the
// oldest are dropped — counted and printed, never silent.
//
//   iot_gateway --demo     8 simulated nodes, an in-process upstream that is
//                          down from 1.5 s to 4 s; prints what it received,
//                          forwarded and dropped
#include <sockkit/sockkit.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>
using namespace std::chrono_literals;

namespace {
// Aggregates readings "node-3 21.5" per node between two forwards. The loop
// reads the socket (UdpChannel) and hands over one datagram at a time.
class Readings final : public sockkit::UdpHandler {
 public:
  void on_datagram(sockkit::UdpChannel&, std::span<const std::byte> data,
                   const sockkit::Datagram&) override {
    ++received;
    std::string text(reinterpret_cast<const char*>(data.data()), data.size());
    const auto space = text.find(' ');
    if (space == std::string::npos) return;  // malformed reading: ignored
    auto& node = nodes_[text.substr(0, space)];
    node.sum += std::atof(text.c_str() + space + 1);
    ++node.count;
  }
  // One summary line for upstream, then start over.
  std::string summary(int sequence) {
    std::string line = "summary " + std::to_string(sequence);
    for (auto& [name, n] : nodes_) {
      char part[64];
      std::snprintf(part, sizeof part, " %s=%.1f(%d)", name.c_str(), n.sum / n.count, n.count);
      line += part;
    }
    nodes_.clear();
    return line + "\n";
  }
  std::uint64_t received = 0;

 private:
  struct Node {
    double sum = 0;
    int count = 0;
  };
  std::map<std::string, Node> nodes_;
};

struct Upstream : sockkit::ReconnectingHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection&,
                                       std::span<const std::byte> d) override {
    return d.size();
  }
  void on_open(sockkit::Connection&) override { std::printf("upstream connected\n"); }
  void on_close(sockkit::Connection&, std::error_code why) override {
    std::printf("upstream lost: %s\n", why.message().c_str());
  }
  void on_outbox_drop(std::size_t messages, std::size_t bytes) override {
    std::printf("outbox full: dropped %zu summary (%zu bytes)\n", messages, bytes);
  }
};

// The demo's upstream: counts the summary lines it gets.
struct Collector : sockkit::ConnectionHandler {
  sockkit::Result<std::size_t> on_data(sockkit::Connection&,
                                       std::span<const std::byte> d) override {
    for (auto b : d)
      lines += b == std::byte{'\n'};
    return d.size();
  }
  int lines = 0;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) != "--demo")
    return std::printf("usage: iot_gateway --demo\n"), 2;
  auto loop = sockkit::EventLoop::create();
  if (!loop) return 1;
  auto udp = sockkit::UdpSocket::bind(sockkit::Endpoint::loopback_v4(0));
  if (!udp) return std::printf("udp bind failed\n"), 1;
  const auto gateway = *udp->local_endpoint();
  Readings readings;
  auto sensors =
      sockkit::UdpChannel::create(**loop, std::move(*udp), readings, {.max_datagram = 128});
  if (!sensors) return 1;

  Collector collector;
  auto up = sockkit::Server::start(**loop, sockkit::Endpoint::loopback_v4(0), collector);
  if (!up) return 1;
  const auto upstream_at = (*up)->local_endpoint();
  sockkit::ClientSettings settings;
  settings.reconnect.initial = 200ms;
  settings.reconnect.max = 1s;
  settings.outbox_limit = 1024;  // a few summaries: a device has little RAM
  Upstream upstream;
  auto link =
      sockkit::ReconnectingClient::create(**loop, upstream_at.to_string(), upstream, settings);
  if (!link) return 1;
  (*link)->start();

  int sequence = 0, forwarded = 0;
  (*loop)->add_repeating_timer(100ms, [&] {
    if ((*link)->send(readings.summary(++sequence))) ++forwarded;
  });
  (*loop)->add_timer(1500ms, [&] {
    std::printf("-- demo: upstream down --\n");
    up->reset();
  });
  (*loop)->add_timer(4s, [&] {
    up = sockkit::Server::start(**loop, upstream_at, collector);
    std::printf("-- demo: upstream back --\n");
  });
  (*loop)->add_timer(6s, [&] { (*loop)->stop(); });

  // Eight sensor nodes, a reading every 20 ms each.
  std::atomic<bool> running{true};
  std::vector<std::thread> nodes;
  for (int n = 0; n < 8; ++n)
    nodes.emplace_back([&, n] {
      auto s = sockkit::UdpSocket::open(sockkit::Family::ipv4);
      for (int i = 0; running && s; ++i) {
        const std::string reading =
            "node-" + std::to_string(n) + " " + std::to_string(20 + n + i % 5);
        (void)s->send_to(reading, gateway);
        std::this_thread::sleep_for(20ms);
      }
    });
  (void)(*loop)->run();
  running = false;
  for (auto& t : nodes)
    t.join();
  sensors->reset();
  const auto stats = (*link)->stats();
  const long long in_flight =
      forwarded - collector.lines - static_cast<long long>(stats.dropped_messages);
  std::printf(
      "received %llu readings; %d summaries handed to the link: %d arrived upstream, "
      "%llu dropped from the full outbox, %lld in flight when upstream died\n",
      static_cast<unsigned long long>(readings.received), forwarded, collector.lines,
      static_cast<unsigned long long>(stats.dropped_messages), in_flight);
  // TCP gives no receipt: bytes already sent when a peer dies are gone. Protocols
  // that need at-least-once delivery acknowledge summaries and resend.
  return stats.dropped_messages > 0 && collector.lines > 0 ? 0 : 1;
}
