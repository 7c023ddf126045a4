// SPDX-License-Identifier: MIT
// An lwIP device in a private network namespace serving a Linux kernel client
// through a TAP device: TCP echo, UDP echo, and 10 MiB verified byte for byte.
// Root only (CAP_NET_ADMIN for the namespace and the TAP device); elsewhere it
// skips with the reason. Kernel-side code here uses the OS socket API directly:
// this file sees no lwIP header.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lwip/tap_device.hpp"
#include "sockkit/lwip_tap.hpp"
#include "support/dnsmasq.hpp"
#include "support/fixture.hpp"
#include "support/netns.hpp"
#include "support/ping_pong.hpp"
#include "support/server_thread.hpp"
#if !defined(SOCKKIT_NO_TLS)
#include "support/test_pki.hpp"
#endif

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

constexpr std::uint16_t kTcpPort = 7000, kUdpPort = 7001;
constexpr std::size_t kBulk = 10 * 1024 * 1024;

sockaddr_in device_address(std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, "10.78.0.2", &sa.sin_addr);
  return sa;
}

// Kernel TCP client with 5 s receive/send timeouts; -1 on failure.
int kernel_connect(std::string& report) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const sockaddr_in to = device_address(kTcpPort);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    report += std::string("kernel connect to lwIP: ") + std::strerror(errno) + "\n";
    ::close(fd);
    return -1;
  }
  return fd;
}

bool read_exactly(int fd, char* out, std::size_t size) {
  for (std::size_t got = 0; got < size;) {
    const ssize_t n = ::recv(fd, out + got, size - got, 0);
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

int device_body(std::string& report) {
  if (!bring_up_device(report)) return 2;
  EchoHandler echo;
  ServerThread server(Backend::poll, echo, {}, Endpoint::ipv4({10, 78, 0, 2}, kTcpPort));
  if (!server.ok()) {
    report = "lwIP server: " + server.error();
    return 2;
  }
  // UDP echo on lwIP, on a thread that owns its socket (lwIP's threading rule).
  std::atomic<bool> udp_done{false};
  std::thread udp_echo([&udp_done] {
    auto s = UdpSocket::bind(Endpoint::ipv4({10, 78, 0, 2}, kUdpPort));
    if (!s || !s->set_receive_timeout(100ms)) return;
    char buf[512];
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!udp_done && std::chrono::steady_clock::now() < give_up) {
      auto d = s->receive_from(std::span<char>(buf));
      if (d) (void)s->send_to(std::string_view(buf, d->size), d->from);
    }
  });

  int failures = 0;
  // 1. TCP echo.
  const int fd = kernel_connect(report);
  if (fd < 0) {
    udp_done = true;
    udp_echo.join();
    return 3;
  }
  char hello[6] = {};
  if (::send(fd, "hello!", 6, MSG_NOSIGNAL) != 6 || !read_exactly(fd, hello, 6) ||
      std::string(hello, 6) != "hello!") {
    report += "TCP echo failed\n";
    ++failures;
  }
  // 2. UDP echo (retried: the first datagram may wait for ARP).
  const int u = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval tv{1, 0};
  ::setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const sockaddr_in udp_to = device_address(kUdpPort);
  bool udp_ok = false;
  for (int attempt = 0; attempt < 3 && !udp_ok; ++attempt) {
    ::sendto(u, "datagram", 8, 0, reinterpret_cast<const sockaddr*>(&udp_to), sizeof udp_to);
    char back[16];
    const ssize_t n = ::recv(u, back, sizeof back, 0);
    udp_ok = n == 8 && std::string(back, 8) == "datagram";
  }
  if (!udp_ok) {
    report += "UDP echo failed\n";
    ++failures;
  }
  ::close(u);
  udp_done = true;
  // 3. 10 MiB through the device and back, every byte checked.
  std::vector<char> out(kBulk), in(kBulk);
  for (std::size_t i = 0; i < kBulk; ++i)
    out[i] = static_cast<char>((i * 2654435761u) >> 13);
  const auto start = std::chrono::steady_clock::now();
  std::thread sender([&] {
    for (std::size_t sent = 0; sent < kBulk;) {
      const ssize_t n =
          ::send(fd, out.data() + sent, std::min<std::size_t>(65536, kBulk - sent), MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  });
  const bool received = read_exactly(fd, in.data(), kBulk);
  sender.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!received) {
    report += "10 MiB echo stalled\n";
    ++failures;
  } else if (in != out) {
    report += "10 MiB echo came back different\n";
    ++failures;
  }
  ::close(fd);
  udp_echo.join();
  const auto stats = lwip::tap_stats();
  char line[200];
  std::snprintf(line, sizeof line,
                "10 MiB echoed in %.2f s (%.1f MiB/s each way); frames in %llu, out %llu, "
                "dropped %llu\n",
                seconds, 10 / seconds, static_cast<unsigned long long>(stats.frames_in),
                static_cast<unsigned long long>(stats.frames_out),
                static_cast<unsigned long long>(stats.dropped_in));
  report += line;
  return failures == 0 ? 0 : 4;
}

#if !defined(SOCKKIT_NO_TLS)
// TLS on the device: sockkit's TLS server on lwIP, each TLS backend, and
// Linux's `openssl s_client` verifying it through the TAP device.
int tls_device_body(std::string& report) {
  if (!bring_up_device(report)) return 2;
  if (!shell("openssl version >/dev/null 2>&1")) {
    report = "the openssl program is not installed";
    return 2;
  }
  TestPki pki;
  if (!pki.ok()) {
    report = "certificates: " + pki.error();
    return 2;
  }
  int failures = 0;
  std::uint16_t port = 7443;
  for (TlsBackend backend : {TlsBackend::mbedtls, TlsBackend::openssl}) {
    if (!tls_backend_available(backend)) continue;
    auto tls = TlsContext::server({.backend = backend,
                                   .certificate_file = pki.cert("server"),
                                   .private_key_file = pki.key("server")});
    if (!tls) {
      report += std::string(to_string(backend)) + ": " + tls.error().message() + "\n";
      ++failures;
      continue;
    }
    EchoHandler echo;
    ServerOptions options;
    options.tls = *tls;
    ServerThread server(Backend::poll, echo, options, Endpoint::ipv4({10, 78, 0, 2}, port));
    if (!server.ok()) {
      report += "lwIP TLS server: " + server.error() + "\n";
      ++failures;
      continue;
    }
    const std::string cmd =
        "(echo over-lwip; sleep 1) | timeout 15 openssl s_client -connect "
        "10.78.0.2:" +
        std::to_string(port) + " -servername localhost -verify_hostname localhost -CAfile " +
        pki.ca() + " -verify_return_error -quiet -no_ign_eof 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr)
      out += buf;
    if (p != nullptr) ::pclose(p);
    const bool echoed = out.find("over-lwip") != std::string::npos;
    report += std::string("TLS on lwIP (") + to_string(backend) +
              ") to openssl s_client: " + (echoed ? "echoed" : "FAILED: " + out) + "\n";
    if (!echoed) ++failures;
    ++port;
  }
  return failures == 0 ? 0 : 4;
}

TEST(LwipTap, TlsOnTheDeviceServesOpensslThroughTap) {
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(tls_device_body, 90);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}
#endif

// The device resolves names through sockkit's resolver, asking dnsmasq on the
// Linux side of the TAP link: answers, CNAME, NXDOMAIN, TCP after truncation,
// failover from an absent server, and the device's loop serving meanwhile.
int resolver_body(std::string& report) {
  if (!bring_up_device(report)) return 2;
  Dnsmasq dns("10.78.0.1", test_records());
  if (!dns.ready()) {
    report = "dnsmasq did not start";
    return 2;
  }
  auto loop = EventLoop::create({.backend = Backend::poll});
  if (!loop) return 2;
  const Endpoint server = Endpoint::ipv4({10, 78, 0, 1}, 53);
  const Endpoint nobody = Endpoint::ipv4({10, 78, 0, 9}, 53);  // no host: ARP never answers
  auto make = [&](std::vector<Endpoint> servers, std::chrono::milliseconds timeout) {
    ResolverConfig c;
    c.servers = std::move(servers);
    c.timeout = timeout;
    ResolverOptions o;
    o.engine = ResolverEngine::sockkit;
    o.config = c;
    return Resolver::create(*loop, o);
  };
  auto ask = [&](Resolver& r, std::string_view name) {
    std::optional<FamilyAnswer> got;
    r.lookup(name, 80, LookupFamilies::ipv4, 5s, [&](const FamilyAnswer& a) { got = a; });
    loop->run_until([&] { return got.has_value(); }, EventLoop::Clock::now() + 6s);
    return got;
  };
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      report += "FAILED: " + what + "\n";
      ++failures;
    }
  };
  auto r = make({server}, 1s);
  auto host = ask(*r, "host.test");
  check(host && host->result && host->result->addresses[0].address.to_string() == "10.0.0.1:80" &&
            host->result->server == server,
        "host.test A from 10.78.0.1");
  auto alias = ask(*r, "alias.test");
  check(alias && alias->result && alias->result->canonical_name == "host.test", "CNAME followed");
  auto missing = ask(*r, "missing.test");
  check(missing && !missing->result &&
            missing->result.error() == make_error_code(failure::name_not_found),
        "NXDOMAIN");
  auto big = ask(*r, "big.test");
  check(big && big->result && r->stats().tcp_queries == 1, "big.test over TCP after truncation");
  auto failover = make({nobody, server}, 300ms);
  auto second = ask(*failover, "host.test");
  check(second && second->result && second->result->server == server &&
            failover->stats().timeouts >= 1,
        "failover from a server that never answers");

  // The servers the stack holds (what DHCP would set) are the default configuration.
  const std::array stack_servers{server};
  check(bool(set_stack_dns_servers(stack_servers)), "set_stack_dns_servers");
  auto by_default = Resolver::create(*loop);
  auto found = ask(*by_default, "host.test");
  check(found && found->result && found->result->server == server,
        "a default Resolver asks the server the stack holds");
  (void)set_stack_dns_servers({});

  auto waiting = make({nobody}, 5s);
  bool resolved = false;
  waiting->lookup("host.test", 80, LookupFamilies::ipv4, 3s,
                  [&](const FamilyAnswer&) { resolved = true; });
  const auto pp = ping_pong_while(*loop, 1s, [] { return false; });
  char line[160];
  std::snprintf(line, sizeof line,
                "lwIP loop during a lookup on a silent server: worst round trip %.3f ms over %d\n",
                std::chrono::duration<double, std::milli>(pp.worst).count(), pp.round_trips);
  report += line;
  // A blocked loop would stall for the 5 s try. Hosted lwIP runs its tcpip
  // thread beside the loop on two cores, so its jitter gets 50 ms here.
  check(pp.error.empty() && !resolved && pp.round_trips > 50 && pp.worst < 50ms,
        "the device's loop kept serving: " + pp.error);
  return failures == 0 ? 0 : 4;
}

TEST(LwipTap, ResolverOnTheDeviceAsksDnsmasqThroughTap) {
  if (!Dnsmasq::available())
    GTEST_SKIP() << "dnsmasq is not installed (apt-get install dnsmasq-base)";
  if (!resolver_engine_available(ResolverEngine::sockkit))
    GTEST_SKIP() << "sockkit's resolver is not in this build (SOCKKIT_RESOLVER=stack)";
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(resolver_body, 90);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

TEST(LwipTap, DeviceInANamespaceServesAKernelClient) {
  if (!tun_available()) GTEST_SKIP() << kNoTun;
  auto run = run_in_private_netns(device_body, 90);
  if (!run.ran) GTEST_SKIP() << run.why;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

}  // namespace
}  // namespace sockkit::test
