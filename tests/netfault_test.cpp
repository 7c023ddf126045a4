// SPDX-License-Identifier: MIT
// Resilience under real network faults (CTest label `netfault`). Each test runs
// in a child process in a private network namespace (host A) with a second
// namespace (host B) joined by a veth pair (support/two_hosts.hpp); nothing
// touches the host, and the kernel removes everything when the child ends,
// even when it is killed. Root only: elsewhere each test skips with the reason.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/fault_fixture.hpp"

namespace sockkit::test {
namespace {
using namespace fault;

// (a) The stale connection: a silent blackhole in the middle of an
// established, idle connection, detected by heartbeat, by keepalive, and not
// at all by default; the client reconnects when the path heals.
int stale_connection(TwoHosts& hosts, std::string& report, ReconnectingOptions settings,
                     double detect_min, double detect_max) {
  ServerOnB server(hosts, {kServerV4});
  NETNS_CHECK(server.error.empty(), server.error);
  ClientOnA a(settings, kServerV4.to_string());
  NETNS_CHECK(a.client.has_value(), a.error);
  auto& [loop, rec, client, error] = a;
  client->start();
  NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.opens == 1; }), "never connected");
  (void)client->send("hello\n");
  NETNS_CHECK(
      run_loop_until(*loop, 2s, [&] { return rec.received.find("hello") != std::string::npos; }),
      "no echo before the fault");
  NETNS_CHECK(hosts.blackhole(), "cannot blackhole the path");
  const auto t0 = Clock::now();
  const bool detected =
      run_loop_until(*loop, std::chrono::milliseconds(static_cast<int>(detect_max * 1000) + 1500),
                     [&] { return rec.closes == 1; });
  if (detect_min < 0) {  // default settings: nothing must be noticed
    appendf(report, "defaults: %s after %.1f s of blackhole\n",
            detected ? "DETECTED" : "nothing detected", since(t0));
    NETNS_CHECK(!detected, "default settings noticed the blackhole (unexpected)");
    NETNS_CHECK(client->connection() != nullptr, "the dead connection should look alive");
    return 0;
  }
  NETNS_CHECK(detected, "the dead path was never detected");
  const double took = std::chrono::duration<double>(rec.closed_at - t0).count();
  appendf(report, "detected after %.2f s (window %.1f..%.1f s): %s\n", took, detect_min, detect_max,
          rec.close_reason.message().c_str());
  NETNS_CHECK(took >= detect_min && took <= detect_max, "detection outside its window");
  NETNS_CHECK(classify(rec.close_reason) == errc::timed_out, "reason is not timed_out");
  NETNS_CHECK(hosts.heal(), "cannot heal the path");
  NETNS_CHECK(run_loop_until(*loop, 6s, [&] { return rec.opens == 2; }),
              "no reconnect after healing");
  rec.received.clear();
  (void)client->send("again\n");
  NETNS_CHECK(
      run_loop_until(*loop, 2s, [&] { return rec.received.find("again") != std::string::npos; }),
      "no echo after reconnecting");
  report += "reconnected and echoing after the path healed\n";
  return 0;
}

TEST(NetFault, StaleConnectionIsDetectedByHeartbeat) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    auto s = quick_settings();
    s.heartbeat = {.interval = 300ms, .timeout = 700ms};
    // A ping is sent within 0.3 s of the fault, its answer is due 0.7 s later.
    return stale_connection(hosts, report, s, 0.6, 1.3);
  });
}

TEST(NetFault, StaleConnectionIsDetectedByKeepalive) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    auto s = quick_settings();
    s.keepalive = {.enabled = true, .idle = 1s, .interval = 1s, .count = 2};
    // idle 1 s + 2 unanswered probes 1 s apart: the kernel gives up at about 3 s.
    return stale_connection(hosts, report, s, 2.0, 4.5);
  });
}

TEST(NetFault, StaleConnectionGoesUnnoticedWithDefaults) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    auto s = quick_settings();  // kernel defaults: no keepalive, no user timeout, no heartbeat
    return stale_connection(hosts, report, s, -1, 4.5);
  });
}

// The kernel's own limit, shown in seconds: with unacknowledged data and no
// user timeout, Linux retransmits tcp_retries2 times (15 by default, about
// 15 minutes) before ETIMEDOUT. Lowered to 4 in this namespace, the same
// default behaviour takes seconds.
TEST(NetFault, UnackedDataWithKernelDefaultsDiesOnlyAfterTcpRetries2) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    NETNS_CHECK(hosts.in_a("sh -c 'echo 4 > /proc/sys/net/ipv4/tcp_retries2'"),
                "cannot lower tcp_retries2 in the test namespace");
    ServerOnB server(hosts, {kServerV4});
    NETNS_CHECK(server.error.empty(), server.error);
    ClientOnA a(quick_settings(), kServerV4.to_string());
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    client->start();
    NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.opens == 1; }), "never connected");
    NETNS_CHECK(hosts.blackhole(), "cannot blackhole");
    const auto t0 = Clock::now();
    (void)client->send("this will never be acknowledged\n");
    NETNS_CHECK(run_loop_until(*loop, 20s, [&] { return rec.closes == 1; }), "never gave up");
    const double took = std::chrono::duration<double>(rec.closed_at - t0).count();
    appendf(report, "tcp_retries2=4: %s after %.2f s (15 by default: ~15 min)\n",
            rec.close_reason.message().c_str(), took);
    NETNS_CHECK(classify(rec.close_reason) == errc::timed_out, "reason is not timed_out");
    NETNS_CHECK(took >= 3 && took <= 15, "outside the window for 4 retransmissions");
    return 0;
  });
}

// (b) RST from the peer mid-stream: a firewall on B answers with a reset.
TEST(NetFault, ResetMidStreamReconnects) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    ServerOnB server(hosts, {kServerV4});
    NETNS_CHECK(server.error.empty(), server.error);
    ClientOnA a(quick_settings(), kServerV4.to_string());
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    client->start();
    NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.opens == 1; }), "never connected");
    NETNS_CHECK(
        hosts.in_b("nft add table inet fault") &&
            hosts.in_b("nft add chain inet fault in '{ type filter hook input priority 0; }'") &&
            hosts.in_b("nft add rule inet fault in tcp dport 7000 reject with tcp reset"),
        "cannot install the reset rule (nftables?)");
    (void)client->send("into the reset\n");
    NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.closes == 1; }), "reset not noticed");
    report += "disconnected: " + rec.close_reason.message() + "\n";
    NETNS_CHECK(classify(rec.close_reason) == errc::connection_reset,
                "reason is not connection_reset");
    NETNS_CHECK(hosts.in_b("nft delete table inet fault"), "cannot remove the rule");
    NETNS_CHECK(run_loop_until(*loop, 5s, [&] { return rec.opens == 2; }), "no reconnect");
    return 0;
  });
}

// (c) Connection refused: the retry schedule in real time follows the policy.
TEST(NetFault, RefusedRetriesFollowTheBackoffInRealTime) {
  run_fault([](TwoHosts&, std::string& report) {
    auto s = quick_settings();
    s.reconnect.max_attempts = 4;
    ClientOnA a(s, kServerV4.to_string());
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    client->start();
    NETNS_CHECK(run_loop_until(*loop, 5s, [&] { return rec.given_up; }), "never gave up");
    NETNS_CHECK(classify(rec.give_up_reason) == errc::connection_refused, "reason is not refused");
    NETNS_CHECK(rec.connecting_at.size() == 4, "expected 4 attempts");
    const double expected[] = {0.2, 0.4, 0.8};  // initial 200 ms, doubling, no jitter
    for (int i = 0; i < 3; ++i) {
      const double gap =
          std::chrono::duration<double>(rec.connecting_at[i + 1] - rec.connecting_at[i]).count();
      appendf(report, "gap %d: %.3f s (policy %.1f s)\n", i + 1, gap, expected[i]);
      NETNS_CHECK(gap >= expected[i] && gap <= expected[i] + 0.15, "gap outside its window");
    }
    return 0;
  });
}

// (d) The server restarts on the same port: it binds again at once despite
// TIME_WAIT, the client reconnects, and what it wrote meanwhile arrives.
TEST(NetFault, ServerRestartOnTheSamePortLosesNothingFromTheOutbox) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    ClientOnA a(quick_settings(), kServerV4.to_string());
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    std::string first_server_got, second_server_got;
    {
      ServerOnB server(hosts, {kServerV4});
      NETNS_CHECK(server.error.empty(), server.error);
      client->start();
      NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.opens == 1; }), "never connected");
      (void)client->send("m1;");
      NETNS_CHECK(run_loop_until(*loop, 2s, [&] { return rec.received == "m1;"; }),
                  "no echo of m1");
    }  // the server goes away (it closes first: TIME_WAIT is on B's side)
    NETNS_CHECK(run_loop_until(*loop, 2s, [&] { return rec.closes == 1; }),
                "disconnect not noticed");
    NETNS_CHECK(client->send("m2;").has_value() && client->send("m3;").has_value(),
                "outbox refused while disconnected");
    NETNS_CHECK(client->stats().outbox_messages == 2, "messages are not waiting in the outbox");
    ServerOnB restarted(hosts, {kServerV4});
    NETNS_CHECK(restarted.error.empty(), "restart could not bind: " + restarted.error);
    report += "restarted server bound the port at once\n";
    NETNS_CHECK(run_loop_until(*loop, 5s, [&] { return rec.opens == 2; }), "no reconnect");
    NETNS_CHECK(run_loop_until(*loop, 2s, [&] { return rec.received == "m1;m2;m3;"; }),
                "outbox not delivered in order: got '" + rec.received + "'");
    NETNS_CHECK(client->stats().dropped_messages == 0, "messages were dropped");
    return 0;
  });
}

// (e) A blackholed connect fails at the configured connect timeout.
TEST(NetFault, BlackholedConnectFailsAtTheConnectTimeout) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    NETNS_CHECK(hosts.blackhole(), "cannot blackhole");
    auto s = quick_settings();
    s.connect_timeout = 1s;
    s.reconnect.max_attempts = 1;
    ClientOnA a(s, kServerV4.to_string());
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    const auto t0 = Clock::now();
    client->start();
    NETNS_CHECK(run_loop_until(*loop, 5s, [&] { return rec.given_up; }), "never gave up");
    const double took = std::chrono::duration<double>(rec.given_up_at - t0).count();
    appendf(report, "connect gave up after %.2f s: %s\n", took,
            rec.give_up_reason.message().c_str());
    NETNS_CHECK(classify(rec.give_up_reason) == errc::timed_out, "reason is not timed_out");
    NETNS_CHECK(took >= 0.95 && took <= 1.5, "outside the 1 s connect timeout window");
    return 0;
  });
}

// (f) 10 % random loss both ways: a 512 KiB echo completes, every byte checked.
TEST(NetFault, TransferCompletesUnderTenPercentLoss) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    ServerOnB server(hosts, {kServerV4});
    NETNS_CHECK(server.error.empty(), server.error);
    const char* loss = "'{ type filter hook input priority 0; }'";
    NETNS_CHECK(hosts.in_a("ip link set dev sk0 gso_max_segs 1 gso_max_size 1500") &&
                    hosts.in_b("ip link set dev sk1 gso_max_segs 1 gso_max_size 1500"),
                "cannot make one skb one frame");
    for (bool b : {false, true}) {
      auto run = [&](const std::string& c) { return b ? hosts.in_b(c) : hosts.in_a(c); };
      NETNS_CHECK(
          run("nft add table inet loss") &&
              run(std::string("nft add chain inet loss in ") + loss) &&
              run("nft add rule inet loss in meta l4proto tcp numgen random mod 100 lt 10 drop"),
          "cannot install the loss rule");
    }
    auto stream = TcpStream::connect(kServerV4, 5s);
    NETNS_CHECK(stream.has_value(), "connect under loss failed");
    constexpr std::size_t kBytes = 512 * 1024;
    std::string out(kBytes, '\0'), in(kBytes, '\0');
    for (std::size_t i = 0; i < kBytes; ++i)
      out[i] = static_cast<char>((i * 7919) >> 5);
    const auto t0 = Clock::now();
    std::atomic<std::size_t> written{0};
    std::thread writer([&] {
      for (std::size_t at = 0; at < kBytes; at += 4096) {  // in pieces, to say how far it got
        if (!stream->write_all(std::string_view(out).substr(at, 4096), 30s)) return;
        written = at + 4096;
      }
    });
    // Read in pieces too: a stall reports how far each side got.
    std::size_t received = 0;
    (void)stream->set_receive_timeout(500ms);
    while (received < kBytes && since(t0) < 30) {
      auto n = stream->receive(std::span<char>(in).subspan(received));
      if (n && *n == 0) break;
      if (n) received += *n;
    }
    writer.join();
    const bool got = received == kBytes;
    appendf(report, "512 KiB echoed under 10 %% loss in %.2f s\n", since(t0));
    if (!got) {
      std::size_t open = 0;
      hosts.call_in_b([&](EventLoop&) { open = server.servers[0]->stats().open; });
      appendf(report, "stalled: %zu bytes written, %zu echoed back; server connections open: %zu\n",
              written.load(), received, open);
    }
    NETNS_CHECK(got, "transfer did not complete within 30 s");
    NETNS_CHECK(in == out, "bytes differ");
    return 0;
  });
}

// (g) Happy Eyeballs: IPv6 blackholed, IPv4 fine: up over IPv4 right after
// the RFC 8305 connection attempt delay (250 ms).
TEST(NetFault, HappyEyeballsFallsBackToIpv4AfterTheAttemptDelay) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    ServerOnB server(hosts, {kServerV4, kServerV6});
    NETNS_CHECK(server.error.empty(), server.error);
    NETNS_CHECK(
        hosts.in_a("ip -6 neigh replace fd77::2 lladdr 02:00:00:00:00:99 nud permanent dev sk0"),
        "cannot blackhole IPv6");
    auto s = quick_settings();
    int resolutions = 0;
    s.resolve = [&]() -> Result<std::vector<Endpoint>> {
      ++resolutions;  // a name with both an AAAA and an A record
      return std::vector<Endpoint>{kServerV6, kServerV4};
    };
    ClientOnA a(s, "meter.example:7000");
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    const auto t0 = Clock::now();
    client->start();
    NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.opens == 1; }), "never connected");
    const double took = std::chrono::duration<double>(rec.opened_at - t0).count();
    appendf(report, "connected over %s after %.3f s\n",
            rec.peer.family() == Family::ipv4 ? "IPv4" : "IPv6", took);
    NETNS_CHECK(rec.peer.family() == Family::ipv4, "not over IPv4");
    NETNS_CHECK(took >= 0.25 && took <= 0.6, "not right after the 250 ms attempt delay");
    NETNS_CHECK(resolutions == 1, "resolved more than once for one attempt");
    return 0;
  });
}

}  // namespace
}  // namespace sockkit::test
