// SPDX-License-Identifier: MIT
// The lwIP device and its Linux peer across the TAP link, beyond plain echo:
// - the stale connection: a device's ReconnectingClient (sockkit on lwIP) keeps
//   a connection to a Linux server; the path turns into a silent blackhole
//   (nftables drops everything on sktap0 both ways: no RST, no ICMP). The
//   heartbeat must notice within its budget, and the client come back when the
//   path heals;
// - broadcast and multicast both ways across the link (LWIP_IGMP).
// Root only; skips elsewhere. The Linux side uses the OS socket API directly:
// this file sees no lwIP header.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "lwip/tap_device.hpp"
#include "support/fixture.hpp"
#include "support/mosquitto.hpp"
#include "support/netns.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using Clock = sockkit::LoopClock;

constexpr std::uint16_t kPort = 7002;

// A Linux echo server at 10.78.0.1 on its own thread, any number of clients.
class KernelEcho {
 public:
  bool start() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int on = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(kPort);
    inet_pton(AF_INET, "10.78.0.1", &at.sin_addr);
    if (::bind(listener_, reinterpret_cast<const sockaddr*>(&at), sizeof at) != 0 ||
        ::listen(listener_, 8) != 0)
      return false;
    thread_ = std::thread([this] { serve(); });
    return true;
  }
  ~KernelEcho() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
    for (const auto& p : fds_)
      ::close(p.fd);
  }

 private:
  void serve() {
    fds_.push_back({listener_, POLLIN, 0});
    while (!done_) {
      if (::poll(fds_.data(), fds_.size(), 50) <= 0) continue;
      for (std::size_t i = 0; i < fds_.size(); ++i) {
        if (fds_[i].revents == 0) continue;
        if (fds_[i].fd == listener_) {
          const int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
          if (c >= 0) fds_.push_back({c, POLLIN, 0});
          continue;
        }
        char buf[512];
        const ssize_t n = ::recv(fds_[i].fd, buf, sizeof buf, 0);
        if (n > 0) {
          (void)::send(fds_[i].fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        } else if (n == 0 || errno != EAGAIN) {
          ::close(fds_[i].fd);
          fds_.erase(fds_.begin() + static_cast<std::ptrdiff_t>(i--));
        }
      }
    }
  }
  int listener_ = -1;
  std::vector<pollfd> fds_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

struct Events : ReconnectingHandler {
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    received.append(reinterpret_cast<const char*>(data.data()), data.size());
    return data.size();
  }
  void on_open(Connection&) override { ++opens; }
  void on_close(Connection&, std::error_code why) override {
    ++closes;
    closed_at = Clock::now();
    reason = why;
  }
  void on_heartbeat(Connection& c) override { (void)c.send("ping\n"); }
  int opens = 0, closes = 0;
  std::string received;
  std::error_code reason;
  Clock::time_point closed_at{};
};

int stale_body(std::string& report) {
  if (!bring_up_device(report)) return 2;
  KernelEcho server;
  NETNS_CHECK(server.start(), "the Linux echo server cannot listen on 10.78.0.1");
  auto loop = EventLoop::create({.backend = Backend::poll});
  NETNS_CHECK(loop, "loop: " + loop.error().message());
  ReconnectingOptions s;
  s.connect_timeout = 2s;
  s.keepalive.enabled = false;
  s.user_timeout = 0ms;
  s.heartbeat = {.interval = 300ms, .timeout = 700ms};
  s.reconnect = {.initial = 200ms, .max = 1s, .multiplier = 2, .jitter = 0, .reset_after = 60s};
  Events events;
  auto client = ReconnectingClient::create(*loop, "10.78.0.1:" + std::to_string(kPort), events, s);
  NETNS_CHECK(client, "client: " + client.error().message());
  client->start();
  NETNS_CHECK(run_loop_until(*loop, 5s, [&] { return events.opens == 1; }),
              "the device never connected to the Linux server");
  (void)client->send("hello\n");
  NETNS_CHECK(
      run_loop_until(*loop, 2s, [&] { return events.received.find("hello") != std::string::npos; }),
      "no echo before the fault");

  NETNS_CHECK(shell("nft add table inet stale") &&
                  shell("nft add chain inet stale in '{ type filter hook input priority 0; }'") &&
                  shell("nft add chain inet stale out '{ type filter hook output priority 0; }'") &&
                  shell("nft add rule inet stale in iifname sktap0 drop") &&
                  shell("nft add rule inet stale out oifname sktap0 drop"),
              "cannot blackhole sktap0 (nftables?)");
  const auto t0 = Clock::now();
  NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return events.closes == 1; }),
              "the dead path was never detected");
  const double took = std::chrono::duration<double>(events.closed_at - t0).count();
  char line[160];
  std::snprintf(line, sizeof line, "lwIP device: blackhole detected after %.2f s: %s\n", took,
                events.reason.message().c_str());
  report += line;
  // A ping goes out within 0.3 s of the fault and its answer is due 0.7 s later.
  NETNS_CHECK(took >= 0.6 && took <= 1.3, "detection outside its 0.6..1.3 s window");
  NETNS_CHECK(classify(events.reason) == errc::timed_out, "reason is not timed_out");

  NETNS_CHECK(shell("nft delete table inet stale"), "cannot heal the path");
  NETNS_CHECK(run_loop_until(*loop, 6s, [&] { return events.opens == 2; }),
              "no reconnect after the path healed");
  events.received.clear();
  (void)client->send("again\n");
  NETNS_CHECK(
      run_loop_until(*loop, 2s, [&] { return events.received.find("again") != std::string::npos; }),
      "no echo after reconnecting");
  report += "reconnected and echoing after the path healed\n";
  return 0;
}

TEST(LwipTap, StaleConnectionIsDetectedByTheHeartbeatOnTheDevice) {
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(stale_body, 60);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

// Linux -> device: a datagram to a group the device joined and a broadcast to
// the subnet; device -> Linux: a broadcast. lwIP delivers both to a socket
// bound to the any-address, and refuses a broadcast without SO_BROADCAST.
int broadcast_multicast_body(std::string& report) {
  if (!bring_up_device(report)) return 2;
  constexpr std::uint16_t kToDevice = 7011, kToLinux = 7012;
  const Endpoint group = Endpoint::ipv4({239, 1, 2, 3}, kToDevice);
  auto device = UdpSocket::bind(Endpoint::any_v4(kToDevice));
  NETNS_CHECK(device, "device bind: " + device.error().message());
  NETNS_CHECK(device->join_multicast(group), "the device cannot join 239.1.2.3");
  NETNS_CHECK(device->set_receive_timeout(2s), "receive timeout");
  NETNS_CHECK(shell("ip route add 239.0.0.0/8 dev sktap0"), "no multicast route to sktap0");

  const int linux_tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(linux_tx, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
  auto send_from_linux = [&](const char* to, const char* text) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(kToDevice);
    inet_pton(AF_INET, to, &sa.sin_addr);
    return ::sendto(linux_tx, text, std::strlen(text), 0, reinterpret_cast<const sockaddr*>(&sa),
                    sizeof sa) > 0;
  };
  NETNS_CHECK(
      send_from_linux("239.1.2.3", "to the group") && send_from_linux("10.78.0.255", "to everyone"),
      "Linux cannot send");
  std::vector<std::string> got;
  char buf[64];
  for (int i = 0; i < 2; ++i) {
    auto d = device->receive_from(std::span<char>(buf));
    NETNS_CHECK(d, "the device received nothing: " + d.error().message());
    NETNS_CHECK(d->from.address_string() == "10.78.0.1", "from the wrong address");
    got.emplace_back(buf, d->size);
  }
  ::close(linux_tx);
  std::sort(got.begin(), got.end());
  NETNS_CHECK(got[0] == "to everyone" && got[1] == "to the group", "wrong datagrams on the device");
  report += "the device received the group datagram and the broadcast\n";

  const int linux_rx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_port = htons(kToLinux);
  timeval tv{2, 0};
  ::setsockopt(linux_rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  NETNS_CHECK(::bind(linux_rx, reinterpret_cast<const sockaddr*>(&any), sizeof any) == 0,
              "Linux bind");
  const Endpoint subnet = Endpoint::ipv4({10, 78, 0, 255}, kToLinux);
  auto refused = device->send_to("no", subnet);
  NETNS_CHECK(!refused, "lwIP sent a broadcast without SO_BROADCAST");
  NETNS_CHECK(device->set_broadcast(true), "SO_BROADCAST on the device");
  NETNS_CHECK(device->send_to("from the device", subnet), "device broadcast");
  const ssize_t n = ::recv(linux_rx, buf, sizeof buf, 0);
  ::close(linux_rx);
  NETNS_CHECK(n > 0 && std::string(buf, static_cast<std::size_t>(n)) == "from the device",
              "Linux did not receive the device's broadcast");
  report += "Linux received the device's broadcast\n";
  return 0;
}

TEST(LwipTap, BroadcastAndMulticastCrossTheTapLink) {
  if (!stack_supports(StackFeature::multicast)) GTEST_SKIP() << "LWIP_IGMP is off in this profile";
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(broadcast_multicast_body, 60);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

#if defined(SOCKKIT_SMART_METER)
// Runs `command` through the shell; its exit code, and its output in `out`.
int run_capturing(const std::string& command, std::string& out) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p) != nullptr)
    out += buf;
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The device examples as built for lwIP, on the TAP device, against mosquitto
// on the Linux side (10.78.0.1). The TAP device is made here first, so the
// broker can listen on it before the example attaches lwIP to it.
int example_body(std::string& report, const std::string& example_args, const char* expected) {
  if (!Mosquitto::available()) {
    report = "mosquitto is not installed";
    return 125;
  }
  NETNS_CHECK(shell("ip tuntap add dev sktap0 mode tap") &&
                  shell("ip addr add 10.78.0.1/24 dev sktap0") &&
                  shell("ip link set dev sktap0 up"),
              "cannot make sktap0");
  Mosquitto broker("10.78.0.1");
  std::string why;
  NETNS_CHECK(broker.start(why), why);
  std::string out;
  const int code = run_capturing(
      "timeout 40 " + example_args + " --tap sktap0 10.78.0.2/24 " + broker.target(broker.port),
      out);
  report += out;
  NETNS_CHECK(code == 0, "the example failed");
  NETNS_CHECK(out.find(expected) != std::string::npos, std::string("no '") + expected + "'");
  return 0;
}

void run_example(const std::string& args, const char* expected) {
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(
      [&](std::string& report) { return example_body(report, args, expected); }, 90);
  if (!run.ran) GTEST_SKIP() << run.why;
  if (run.exit_code == 125) GTEST_SKIP() << run.report;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

TEST(LwipTap, SmartMeterOnTheDevicePublishesToALinuxBroker) {
  run_example(std::string(SOCKKIT_SMART_METER) + " --fast --count 3 --id m9",
              "3 readings, 3 acknowledged, 0 dropped");
}

TEST(LwipTap, IotGatewayOnTheDeviceForwardsSummariesToALinuxBroker) {
  // Exit code 0: the broker acknowledged summaries (the last may still be in flight at the stop).
  run_example(std::string(SOCKKIT_IOT_GATEWAY) + " --sensors 4 --seconds 3", " 0 dropped");
}
#endif

}  // namespace
}  // namespace sockkit::test
