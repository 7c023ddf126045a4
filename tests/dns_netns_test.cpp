// SPDX-License-Identifier: MIT
// The resolver against a real DNS server: dnsmasq, started by each test in a
// private network namespace (root only; elsewhere each test skips with the
// reason). Servers listen on loopback addresses of that namespace; a
// "blackholed" server is an address behind a veth whose neighbour entry points
// at a MAC nobody has, so queries vanish without an answer or an ICMP error.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/dnsmasq.hpp"
#include "support/fake_dns.hpp"
#include "support/fixture.hpp"
#include "support/netns.hpp"
#include "support/ping_pong.hpp"

namespace sockkit::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDnsmasq = Dnsmasq::kPath;
const Endpoint kPrimary = *Endpoint::parse("10.53.0.1:53");
const Endpoint kSecondary = *Endpoint::parse("10.53.0.2:53");
const Endpoint kBlackhole = *Endpoint::parse("10.53.9.9:53");
const Endpoint kSlow = *Endpoint::parse("10.53.0.3:53");

#define DNS_CHECK(cond, text)                                                     \
  do {                                                                            \
    if (!(cond)) {                                                                \
      report += std::string(text) + " (line " + std::to_string(__LINE__) + ")\n"; \
      return 1;                                                                   \
    }                                                                             \
  } while (0)

/// Addresses for the servers and the blackhole.
bool set_up_network(std::string& why) {
  const char* steps[] = {
      "ip addr add 10.53.0.1/32 dev lo",
      "ip addr add 10.53.0.2/32 dev lo",
      "ip addr add 10.53.0.3/32 dev lo",
      "ip link add bh0 type veth peer name bh1",
      "ip addr add 10.53.9.1/24 dev bh0",
      "ip link set dev bh0 up",
      "ip link set dev bh1 up",
      "ip neigh replace 10.53.9.9 lladdr 02:00:00:00:53:99 dev bh0 nud permanent"};
  for (const char* step : steps)
    if (!shell(std::string(step) + " >/dev/null 2>&1")) {
      why = std::string("cannot set up the namespace: ") + step;
      return false;
    }
  return true;
}

void run_dns(const std::function<int(std::string&)>& body, int timeout_s = 60) {
  if (!Dnsmasq::available())
    GTEST_SKIP() << "dnsmasq is not installed (apt-get install dnsmasq-base)";
  auto run = run_in_private_netns(
      [&](std::string& report) {
        if (!set_up_network(report)) return 125;
        return body(report);
      },
      timeout_s);
  if (!run.ran) GTEST_SKIP() << run.why;
  if (run.exit_code == 125) GTEST_SKIP() << run.report;
  std::printf("%s", run.report.c_str());
  EXPECT_EQ(run.exit_code, 0) << run.report;
}

/// One lookup to its end on `loop`.
std::vector<FamilyAnswer> lookup(EventLoop& loop, Resolver& r, std::string_view name,
                                 LookupFamilies f = LookupFamilies::both,
                                 std::chrono::milliseconds deadline = 5s) {
  std::vector<FamilyAnswer> got;
  bool done = false;
  r.lookup(name, 0, f, deadline, [&](const FamilyAnswer& a) {
    got.push_back(a);
    done = a.last;
  });
  loop.run_until([&] { return done; }, EventLoop::Clock::now() + deadline + 2s);
  return got;
}

Result<Resolver> resolver_for(EventLoop& loop, std::vector<Endpoint> servers,
                              std::chrono::milliseconds timeout = 1s) {
  ResolverConfig c;
  c.servers = std::move(servers);
  c.timeout = timeout;
  c.attempts = 2;
  ResolverOptions o;
  o.config = c;
  return Resolver::create(loop, o);
}

const FamilyAnswer* of(const std::vector<FamilyAnswer>& v, Family f) {
  for (const auto& a : v)
    if (a.family == f) return &a;
  return nullptr;
}

TEST(DnsServer, AnswersAaaaCnameNxdomainAndFailure) {
  run_dns([](std::string& report) {
    Dnsmasq dns("10.53.0.1", test_records());
    DNS_CHECK(dns.ready(), "dnsmasq did not start");
    auto loop = EventLoop::create();
    auto r = resolver_for(*loop, {kPrimary});
    auto both = lookup(*loop, *r, "host.test");
    const auto* v4 = of(both, Family::ipv4);
    const auto* v6 = of(both, Family::ipv6);
    DNS_CHECK(v4 && v4->result && v4->result->addresses[0].address.address_string() == "10.0.0.1",
              "A");
    DNS_CHECK(v6 && v6->result && v6->result->addresses[0].address.address_string() == "fd00::1",
              "AAAA");
    DNS_CHECK(v4->result->addresses[0].ttl.count() > 290, "TTL of the record");
    auto alias = lookup(*loop, *r, "alias.test", LookupFamilies::ipv4);
    DNS_CHECK(alias[0].result && alias[0].result->canonical_name == "host.test", "CNAME followed");
    auto nx = lookup(*loop, *r, "missing.test", LookupFamilies::ipv4);
    DNS_CHECK(!nx[0].result && nx[0].result.error() == make_error_code(failure::name_not_found),
              "NXDOMAIN");
    auto fail = lookup(*loop, *r, "x.fail.test", LookupFamilies::ipv4);
    DNS_CHECK(!fail[0].result && fail[0].result.error() == errc::name_not_resolved,
              "server failure");
    report += "failure: " + fail[0].result.error().message() + "\n";
    return 0;
  });
}

TEST(DnsServer, TruncatedAnswerIsAskedAgainOverTcp) {
  run_dns([](std::string& report) {
    Dnsmasq dns("10.53.0.1", test_records());
    DNS_CHECK(dns.ready(), "dnsmasq did not start");
    auto loop = EventLoop::create();
    auto r = resolver_for(*loop, {kPrimary});
    auto big = lookup(*loop, *r, "big.test", LookupFamilies::ipv4);
    DNS_CHECK(big[0].result, "big.test: " + big[0].result.error().message());
    DNS_CHECK(r->stats().tcp_queries == 1, "no TCP query after the truncated answer");
    DNS_CHECK(big[0].result->addresses.size() == 40, "all 40 addresses, as glibc reports them");
    return 0;
  });
}

TEST(DnsServer, TtlExpiryAsksAgain) {
  run_dns([](std::string& report) {
    Dnsmasq dns("10.53.0.1", test_records(1));
    DNS_CHECK(dns.ready(), "dnsmasq did not start");
    auto loop = EventLoop::create();
    auto r = resolver_for(*loop, {kPrimary});
    lookup(*loop, *r, "short.test", LookupFamilies::ipv4);
    auto cached = lookup(*loop, *r, "short.test", LookupFamilies::ipv4);
    DNS_CHECK(cached[0].result && cached[0].result->source == AnswerSource::cache,
              "cached within its TTL");
    loop->run_until([] { return false; }, EventLoop::Clock::now() + 1100ms);
    auto again = lookup(*loop, *r, "short.test", LookupFamilies::ipv4);
    DNS_CHECK(again[0].result && again[0].result->source == AnswerSource::server,
              "asked again after its TTL");
    return 0;
  });
}

TEST(DnsServer, BlackholedPrimaryFailsOverToTheSecondary) {
  run_dns([](std::string& report) {
    Dnsmasq dns("10.53.0.2", test_records());
    DNS_CHECK(dns.ready(), "dnsmasq did not start");
    auto loop = EventLoop::create();
    auto r = resolver_for(*loop, {kBlackhole, kSecondary}, 300ms);
    auto got = lookup(*loop, *r, "host.test", LookupFamilies::ipv4);
    DNS_CHECK(got[0].result, "no answer: " + got[0].result.error().message());
    DNS_CHECK(got[0].result->server == kSecondary,
              "answered by " + got[0].result->server.to_string());
    DNS_CHECK(r->stats().timeouts >= 1, "the blackholed primary should have timed out");
    return 0;
  });
}

// A relay on 10.53.0.3 that holds every query for `delay` before dnsmasq sees it.
struct SlowRelay : UdpHandler {
  EventLoop& loop;
  std::optional<UdpChannel> front, back;
  Endpoint client;
  std::chrono::milliseconds delay;
  SlowRelay(EventLoop& l, std::chrono::milliseconds d) : loop(l), delay(d) {
    front = std::move(*UdpChannel::create(l, std::move(*UdpSocket::bind(kSlow)), *this));
    back =
        std::move(*UdpChannel::create(l, std::move(*UdpSocket::bind(Endpoint::any_v4(0))), *this));
  }
  void on_datagram(UdpChannel& ch, std::span<const std::byte> data, const Datagram& info) override {
    std::vector<std::byte> copy(data.begin(), data.end());
    if (&ch == (front ? &*front : nullptr)) {
      client = info.from;
      loop.add_timer(
          delay, [this, copy] { (void)back->send_to(std::span<const std::byte>(copy), kPrimary); });
    } else {
      (void)front->send_to(std::span<const std::byte>(copy), client);
    }
  }
};

TEST(DnsServer, SlowServerAnswersWithinItsTry) {
  run_dns([](std::string& report) {
    Dnsmasq dns("10.53.0.1", test_records());
    DNS_CHECK(dns.ready(), "dnsmasq did not start");
    auto loop = EventLoop::create();
    SlowRelay relay(*loop, 400ms);
    auto r = resolver_for(*loop, {kSlow}, 2s);
    const auto start = EventLoop::Clock::now();
    auto got = lookup(*loop, *r, "host.test", LookupFamilies::ipv4);
    const auto took = EventLoop::Clock::now() - start;
    DNS_CHECK(got[0].result, "no answer: " + got[0].result.error().message());
    DNS_CHECK(took >= 400ms, "the relay's delay was not felt");
    DNS_CHECK(r->stats().timeouts == 0, "a slow answer within its try is no timeout");
    return 0;
  });
}

// The key property: a lookup waiting on a blackholed server does not stop the loop.
TEST(DnsServer, LoopServesPingPongWhileALookupWaitsOnABlackhole) {
  run_dns([](std::string& report) {
    auto loop = EventLoop::create();
    auto r = resolver_for(*loop, {kBlackhole}, 5s);
    bool resolved = false;
    r->lookup("host.test", 0, LookupFamilies::both, 3s,
              [&](const FamilyAnswer& a) { resolved = a.last; });
    const auto pp = ping_pong_while(*loop, 2s, [] { return false; });
    DNS_CHECK(pp.error.empty(), pp.error);
    const auto worst = pp.worst;
    const int trips = pp.round_trips;
    char line[128];
    std::snprintf(line, sizeof line, "worst round trip %.3f ms over %d round trips, lookup %s\n",
                  std::chrono::duration<double, std::milli>(worst).count(), trips,
                  resolved ? "finished (unexpected)" : "still waiting");
    report += line;
    DNS_CHECK(!resolved, "the lookup should still wait on the blackhole");
    DNS_CHECK(worst < kWorstRoundTrip,
              "a round trip took longer than a loop that is not blocked may take");
    return 0;
  });
}

#ifdef SOCKKIT_CLI
/// `ip netns exec NAME` bind-mounts /etc/netns/NAME/{hosts,resolv.conf} over
/// /etc: the CLI reads them as a device reads its own.
struct NamedNetns {
  std::string name = "sockkit-dns-" + std::to_string(getpid());
  std::string dir = "/etc/netns/" + name;
  bool create(const std::string& resolv_conf, const std::string& hosts) {
    if (!shell("mkdir -p " + dir) || !shell("ip netns add " + name)) return false;
    std::ofstream(dir + "/resolv.conf") << resolv_conf;
    std::ofstream(dir + "/hosts") << hosts;
    return in("ip link set dev lo up");
  }
  bool in(const std::string& command) { return shell("ip netns exec " + name + " " + command); }
  /// A gateway's uplink: a veth with 10.53.1.2/24 and fd00:53::2/64.
  bool add_uplink() {
    return in("ip link add uplink0 type veth peer name uplink1") &&
           in("ip link set dev uplink1 up") && in("ip addr add 10.53.1.2/24 dev uplink0") &&
           in("ip addr add fd00:53::2/64 dev uplink0 nodad") && in("ip link set dev uplink0 up");
  }
  ~NamedNetns() {
    shell("ip netns delete " + name + " 2>/dev/null");
    shell("rm -rf " + dir);
  }
};

std::string capture(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr)
    out += buf;
  if (p != nullptr) pclose(p);
  return out;
}

TEST(DnsCli, HostsFileFirstThenTheServerAndConnectGivesUpInTime) {
  if (!Dnsmasq::available()) GTEST_SKIP() << "dnsmasq is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "needs root (ip netns)";
  NamedNetns ns;
  if (!ns.create("nameserver 127.0.0.53\n",
                 "127.0.0.1 localhost\n10.9.9.9 host.test pinned.test\n"))
    GTEST_SKIP() << "cannot create a named network namespace";
  ASSERT_TRUE(ns.in("ip addr add 127.0.0.53/32 dev lo"));
  const std::string exec = "ip netns exec " + ns.name + " ";
  pid_t pid = fork();
  if (pid == 0) {
    execl("/usr/sbin/ip", "ip", "netns", "exec", ns.name.c_str(), kDnsmasq, "--keep-in-foreground",
          "--no-resolv", "--no-hosts", "--bind-interfaces", "--user=root",
          "--pid-file=", "--listen-address=127.0.0.53", "--local=/test/",
          "--host-record=host.test,10.0.0.1", "--host-record=other.test,10.0.0.2",
          "--log-facility=/dev/null", nullptr);
    _exit(127);
  }
  usleep(300000);
  const std::string pinned = capture(exec + SOCKKIT_CLI " resolve host.test --type A");
  const std::string other = capture(exec + SOCKKIT_CLI " resolve other.test --type A");
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  EXPECT_NE(pinned.find("10.9.9.9\tttl 0\tfrom hosts"), std::string::npos) << pinned;
  EXPECT_NE(other.find("10.0.0.2\tttl 0\tfrom 127.0.0.53:53"), std::string::npos) << other;

  // The nameserver is gone: connect must give up within its timeout, lookup included.
  const auto start = std::chrono::steady_clock::now();
  const std::string dead = capture(exec + SOCKKIT_CLI " connect some.name:80 -t 2");
  const auto took = std::chrono::steady_clock::now() - start;
  std::printf("connect some.name:80 -t 2 with a silent nameserver: %.2f s: %s",
              std::chrono::duration<double>(took).count(), dead.c_str());
  EXPECT_TRUE(dead.find("[timed_out]") != std::string::npos ||
              dead.find("[name_not_resolved]") != std::string::npos)
      << dead;
  EXPECT_LT(took, 3500ms);  // 2 s and a process start (ASan under load: 2.5 s); unbounded: 10 s
}

/// The addresses in a program's output, whatever column they are in.
std::set<std::string> addresses_in(const std::string& output) {
  std::set<std::string> out;
  std::istringstream words(output);
  for (std::string word; words >> word;)
    if (Endpoint::parse(word.find(':') != std::string::npos ? "[" + word + "]:0" : word + ":0"))
      out.insert(word);
  return out;
}

/// A FakeDns set up by `configure`, on 127.0.0.1 inside the named namespace
/// `ns`, in a child process (20 s at most). Its port, or 0.
std::uint16_t serve_in(const std::string& ns, pid_t& child,
                       const std::function<void(FakeDns&)>& configure) {
  int ports[2];
  if (pipe(ports) != 0) return 0;
  child = fork();
  if (child == 0) {
    const int netns = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    std::uint16_t port = 0;
    if (netns >= 0 && setns(netns, CLONE_NEWNET) == 0) {
      auto loop = EventLoop::create();
      auto dns = loop ? FakeDns::start(*loop) : nullptr;
      if (dns) {
        configure(*dns);
        port = dns->endpoint().port();
        (void)!write(ports[1], &port, sizeof port);
        loop->run_until([] { return false; }, EventLoop::Clock::now() + std::chrono::seconds(20));
        _exit(0);
      }
    }
    (void)!write(ports[1], &port, sizeof port);
    _exit(1);
  }
  ::close(ports[1]);
  std::uint16_t port = 0;
  if (read(ports[0], &port, sizeof port) != sizeof port) port = 0;
  ::close(ports[0]);
  return port;
}

// The search list as glibc walks it, side by side with `getent ahosts` in
// the same namespace and resolv.conf: a name whose first domain's servers
// fail (SERVFAIL) is looked for in the next, and A and AAAA come from the
// first name with data for either, never from two different hosts.
TEST(DnsCli, SearchListAgreesWithGetent) {
  if (!Dnsmasq::available()) GTEST_SKIP() << "dnsmasq is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "needs root (ip netns)";
  if (std::system("command -v getent >/dev/null") != 0) GTEST_SKIP() << "getent is not installed";
  NamedNetns ns;
  if (!ns.create("nameserver 127.0.0.53\nsearch fail.test s1.test s2.test\n"
                 "options timeout:1 attempts:1\n",
                 "127.0.0.1 localhost\n"))
    GTEST_SKIP() << "cannot create a named network namespace";
  ASSERT_TRUE(ns.in("ip addr add 127.0.0.53/32 dev lo"));
  // getent ahosts asks with AI_ADDRCONFIG: it asks for AAAA only where a host
  // has an IPv6 address other than loopback, as a gateway would.
  ASSERT_TRUE(ns.add_uplink());
  pid_t servfail = -1, odd = -1, refusing = -1;
  const std::uint16_t servfail_port =
      serve_in(ns.name, servfail, [](FakeDns& d) { d.behaviour = DnsBehaviour::servfail; });
  ASSERT_NE(servfail_port, 0) << "the SERVFAIL server did not start";
  // Valid answers glibc takes and sockkit once refused: an SOA mailbox with a
  // dot inside a label, CNAME chains of 9 and 20 in one answer, and a loop.
  const std::uint16_t odd_port = serve_in(ns.name, odd, [](FakeDns& d) {
    d.soa_mailbox = "host\\.master.odd.test";
    for (int chain : {9, 20}) {
      const std::string head = "chain" + std::to_string(chain);
      for (int i = 0; i < chain; ++i) {
        std::string from = i == 0 ? head : head + "-" + std::to_string(i);
        from += ".odd.test";
        std::string to = head + "-" + std::to_string(i + 1);
        to += ".odd.test";
        d.add({from, 5, to});
      }
      std::string end = head + "-" + std::to_string(chain);
      end += ".odd.test";
      d.add({end, 1, "10.0.3." + std::to_string(chain)});
    }
    d.add({"loop.odd.test", 5, "loop2.odd.test"});
    d.add({"loop2.odd.test", 5, "loop.odd.test"});
  });
  ASSERT_NE(odd_port, 0) << "the scripted server did not start";
  const std::uint16_t refusing_port =
      serve_in(ns.name, refusing, [](FakeDns& d) { d.behaviour = DnsBehaviour::refused; });
  ASSERT_NE(refusing_port, 0) << "the REFUSED server did not start";
  const std::string upstream = "--server=/fail.test/127.0.0.1#" + std::to_string(servfail_port);
  const std::string odd_upstream = "--server=/odd.test/127.0.0.1#" + std::to_string(odd_port);
  const std::string refusing_upstream =
      "--server=/refused.test/127.0.0.1#" + std::to_string(refusing_port);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/usr/sbin/ip", "ip", "netns", "exec", ns.name.c_str(), kDnsmasq, "--keep-in-foreground",
          "--no-resolv", "--no-hosts", "--bind-interfaces", "--user=root",
          "--pid-file=", "--listen-address=127.0.0.53", "--local=/s1.test/", "--local=/s2.test/",
          upstream.c_str(), odd_upstream.c_str(), refusing_upstream.c_str(),
          "--host-record=web.s2.test,10.0.2.1", "--host-record=mix.s1.test,fd00::11",
          "--host-record=mix.s2.test,10.0.2.2", "--host-record=both.s2.test,10.0.2.3,fd00::13",
          "--log-facility=/dev/null", nullptr);
    _exit(127);
  }
  usleep(300000);
  const std::string exec = "ip netns exec " + ns.name + " timeout 20 ";
  struct Row {
    const char* env;  // variables both programs run with
    const char* name;
    std::set<std::string> expected;
  };
  const Row rows[] = {
      {"", "web", {"10.0.2.1"}},  // web.fail.test: SERVFAIL; web.s1.test: NXDOMAIN
      {"", "mix", {"fd00::11"}},  // mix.s1.test has AAAA only; mix.s2.test's A is another host
      {"", "both", {"10.0.2.3", "fd00::13"}},
      {"", "web.s2.test", {"10.0.2.1"}},
      {"", "nothing", {}},
      {"LOCALDOMAIN=s2.test", "mix", {"10.0.2.2"}},  // replaces resolv.conf's search list
      {"", "127.1", {"127.0.0.1"}},  // inet_aton's shorthand: an address, never asked
      {"", "0x7f.1", {"127.0.0.1"}},
      {"", "010.0.0.1", {"8.0.0.1"}},
      // ndots:0: "mix" is asked as it is first (refused), then with the search list.
      {"LOCALDOMAIN=s2.test RES_OPTIONS=ndots:0", "mix", {"10.0.2.2"}},
      {"", "nothing.odd.test", {}},  // NXDOMAIN, its SOA's mailbox host\.master
      {"", "chain9.odd.test", {"10.0.3.9"}},
      {"", "chain20.odd.test", {"10.0.3.20"}},
      {"", "loop.odd.test", {}},
      {"", "host.refused.test", {}},  // REFUSED
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.env) + " " + row.name);
    const std::string env = std::string("env ") + row.env + " ";
    const std::string reference = capture(exec + env + "getent ahosts " + row.name);
    const std::string ours = capture(exec + env + SOCKKIT_CLI " resolve " + row.name + " -t 5");
    EXPECT_EQ(addresses_in(reference), row.expected)
        << row.name << ": glibc changed its mind? " << reference;
    EXPECT_EQ(addresses_in(ours), addresses_in(reference)) << row.name << ": sockkit says\n"
                                                           << ours << "glibc says\n"
                                                           << reference;
    if (row.expected.empty()) {  // an answer at once, never a wait for the timeout
      EXPECT_EQ(ours.find("timed out"), std::string::npos) << row.name << ": " << ours;
    }
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  for (pid_t child : {servfail, odd, refusing}) {
    kill(child, SIGTERM);
    waitpid(child, nullptr, 0);
  }
}

/// The addresses in a program's output in their first-seen order, each once.
std::vector<std::string> ordered_addresses_in(const std::string& output) {
  std::vector<std::string> out;
  std::istringstream words(output);
  for (std::string word; words >> word;)
    if (Endpoint::parse(word.find(':') != std::string::npos ? "[" + word + "]:0" : word + ":0") &&
        std::find(out.begin(), out.end(), word) == out.end())
      out.push_back(word);
  return out;
}

// Destination address selection side by side with `getent ahosts`: the same
// addresses, from the hosts file and from a DNS server, in the same order on
// a gateway with an IPv4 and a ULA IPv6 uplink.
TEST(DnsCli, AddressOrderAgreesWithGetent) {
  if (!Dnsmasq::available()) GTEST_SKIP() << "dnsmasq is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "needs root (ip netns)";
  if (std::system("command -v getent >/dev/null") != 0) GTEST_SKIP() << "getent is not installed";
  const std::string addresses[] = {"10.0.2.9",    "10.53.1.7", "2001:db8::5", "fd00:53::7",
                                   "10.53.1.200", "127.0.0.2", "10.53.1.3"};
  std::string hosts = "127.0.0.1 localhost\n";
  for (const auto& a : addresses)
    hosts += a + " order.test\n";
  NamedNetns ns;
  if (!ns.create("nameserver 127.0.0.53\noptions timeout:1 attempts:1\n", hosts))
    GTEST_SKIP() << "cannot create a named network namespace";
  ASSERT_TRUE(ns.in("ip addr add 127.0.0.53/32 dev lo"));
  ASSERT_TRUE(ns.add_uplink());
  ASSERT_TRUE(ns.in("ip route add default dev uplink0"));
  ASSERT_TRUE(ns.in("ip -6 route add default dev uplink0"));
  // Outside ns.dir: `ip netns exec` mounts every file there over /etc.
  const std::string served = "/tmp/" + ns.name + "-served-hosts";
  {
    std::ofstream file(served);
    for (const auto& a : addresses)
      file << a << " dns-order.test\n";
  }
  const std::string addn_hosts = "--addn-hosts=" + served;
  pid_t pid = fork();
  if (pid == 0) {
    execl("/usr/sbin/ip", "ip", "netns", "exec", ns.name.c_str(), kDnsmasq, "--keep-in-foreground",
          "--no-resolv", "--no-hosts", "--bind-interfaces", "--user=root",
          "--pid-file=", "--listen-address=127.0.0.53", addn_hosts.c_str(),
          "--log-facility=/dev/null", nullptr);
    _exit(127);
  }
  usleep(300000);
  const std::string exec = "ip netns exec " + ns.name + " timeout 20 ";
  for (const char* name : {"order.test", "dns-order.test"}) {
    SCOPED_TRACE(name);
    const std::string reference = capture(exec + "getent ahosts " + name);
    const std::string ours = capture(exec + SOCKKIT_CLI " resolve " + name + " -t 5");
    const auto glibc = ordered_addresses_in(reference);
    EXPECT_EQ(glibc.size(), std::size(addresses)) << reference;
    EXPECT_EQ(glibc.front(), "fd00:53::7") << "glibc changed its mind? " << reference;
    EXPECT_EQ(ordered_addresses_in(ours), glibc) << "sockkit says\n"
                                                 << ours << "glibc says\n"
                                                 << reference;
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::remove(served.c_str());
}

TEST(DnsCli, MqttSubReportsAnUnresolvableBrokerAndExits) {
  if (!Dnsmasq::available()) GTEST_SKIP() << "dnsmasq is not installed";
  if (geteuid() != 0) GTEST_SKIP() << "needs root (ip netns)";
  NamedNetns ns;
  if (!ns.create("nameserver 127.0.0.53\n", "127.0.0.1 localhost\n"))
    GTEST_SKIP() << "cannot create a named network namespace";
  ASSERT_TRUE(ns.in("ip addr add 127.0.0.53/32 dev lo"));
  const std::string exec = "ip netns exec " + ns.name + " timeout 20 ";
  const std::string sub = SOCKKIT_CLI " mqtt sub -h nosuch.test -t x --timeout 2 -d";
  pid_t pid = fork();
  if (pid == 0) {
    execl("/usr/sbin/ip", "ip", "netns", "exec", ns.name.c_str(), kDnsmasq, "--keep-in-foreground",
          "--no-resolv", "--no-hosts", "--bind-interfaces", "--user=root",
          "--pid-file=", "--listen-address=127.0.0.53", "--local=/test/",
          "--log-facility=/dev/null", nullptr);
    _exit(127);
  }
  usleep(300000);
  // No such domain: the first attempt's failure is reported and ends the command.
  const std::string nxdomain = capture(exec + sub + " 2>&1; echo exit=$?");
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  EXPECT_NE(nxdomain.find("connect failed"), std::string::npos) << nxdomain;
  EXPECT_NE(nxdomain.find("[name_not_resolved]"), std::string::npos) << nxdomain;
  EXPECT_NE(nxdomain.find("exit=1"), std::string::npos) << nxdomain;  // 124: still running
  // No nameserver at all: the same, once the attempt's deadline has passed.
  const std::string silent = capture(exec + sub + " 2>&1; echo exit=$?");
  EXPECT_NE(silent.find("connect failed"), std::string::npos) << silent;
  EXPECT_NE(silent.find("exit=1"), std::string::npos) << silent;
}
#endif

}  // namespace
}  // namespace sockkit::test
