// SPDX-License-Identifier: MIT
// The links of a gateway, in private network namespaces (root; elsewhere each
// test skips with the reason): two uplinks and a failover between them;
// broadcast and multicast across a veth link.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/fault_fixture.hpp"

namespace sockkit::test {
namespace {
using namespace fault;

// Two uplinks, as a gateway's Ethernet and cellular: the client prefers link 0
// (sk0); blackholed, the heartbeat notices, the reconnect tries sk0 until the
// connect timeout and then fails over to sk2 at once, and what was sent while
// down arrives. The routing table alone would keep choosing the dead link.
TEST(NetFault, TwoUplinksFailOverWhenThePreferredIsBlackholed) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    std::string why;
    NETNS_CHECK(hosts.add_second_link(why), why);
    ServerOnB server(hosts, {Endpoint::any_v4(kPort)});
    NETNS_CHECK(server.error.empty(), server.error);
    auto s = quick_settings();
    s.connect_timeout = 1s;
    s.heartbeat = {.interval = 300ms, .timeout = 700ms};
    s.uplinks = {{.device = "sk0"}, {.device = "sk2"}};
    ClientOnA a(s, "10.99.0.1:" + std::to_string(kPort));
    NETNS_CHECK(a.client.has_value(), a.error);
    auto& [loop, rec, client, error] = a;
    auto local_address = [&] {
      auto* c = client->connection();
      auto ep = c != nullptr ? c->local() : Result<Endpoint>(failure::closed_socket);
      return ep ? ep->address_string() : std::string("none");
    };
    client->start();
    NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.opens == 1; }), "never connected");
    appendf(report, "connected from %s\n", local_address().c_str());
    NETNS_CHECK(local_address() == "10.77.0.1", "not out of the preferred uplink sk0");
    NETNS_CHECK(client->stats().uplink == 0, "stats name another uplink");

    NETNS_CHECK(hosts.blackhole(0), "cannot blackhole sk0");
    const auto t0 = Clock::now();
    NETNS_CHECK(run_loop_until(*loop, 3s, [&] { return rec.closes == 1; }),
                "the dead uplink was never noticed");
    (void)client->send("while down\n");  // waits in the outbox
    NETNS_CHECK(run_loop_until(*loop, 5s, [&] { return rec.opens == 2; }), "no failover");
    const double took = since(t0);
    appendf(report, "failed over after %.2f s (heartbeat + 1 s connect timeout on sk0): from %s\n",
            took, local_address().c_str());
    NETNS_CHECK(local_address() == "10.79.0.1", "not out of the second uplink sk2");
    const auto stats = client->stats();
    NETNS_CHECK(stats.uplink == 1 && stats.uplink_switches >= 1, "stats do not show the failover");
    NETNS_CHECK(rec.retries.size() >= 1 && rec.retries.back() == 0ms,
                "the failover waited for the backoff");
    NETNS_CHECK(
        run_loop_until(*loop, 2s,
                       [&] { return rec.received.find("while down") != std::string::npos; }),
        "what was sent while down did not arrive");
    NETNS_CHECK(took < 3.5, "failover slower than heartbeat + connect timeout");
    return 0;
  });
}

// Broadcast and multicast end to end across the link (not only on loopback):
// host B listens on the port, joined to a group on sk1; host A sends a
// broadcast to 10.77.0.255 (SO_BROADCAST) and a datagram to the group.
TEST(NetLink, BroadcastAndMulticastCrossTheLink) {
  run_fault([](TwoHosts& hosts, std::string& report) {
    constexpr std::uint16_t kUdp = 7010;
    const Endpoint group = Endpoint::ipv4({239, 1, 2, 3}, kUdp);
    std::optional<UdpSocket> listener;
    std::string error;
    hosts.call_in_b([&](EventLoop&) {  // B's namespace: its socket and its interface index
      auto s = UdpSocket::bind(Endpoint::any_v4(kUdp));
      if (!s) return void(error = "bind on B: " + s.error().message());
      auto sk1 = interface_index("sk1");
      if (!sk1) return void(error = "sk1: " + sk1.error().message());
      if (auto st = s->join_multicast(group, *sk1); !st)
        return void(error = "join on B: " + st.error().message());
      if (auto st = s->set_receive_timeout(2s); !st) return void(error = st.error().message());
      listener = std::move(*s);
    });
    NETNS_CHECK(error.empty(), error);
    NETNS_CHECK(hosts.in_a("ip route add 239.0.0.0/8 dev sk0"), "no multicast route on A");
    auto sender = UdpSocket::open(Family::ipv4);
    NETNS_CHECK(sender, "sender: " + sender.error().message());
    const Endpoint broadcast = Endpoint::ipv4({10, 77, 0, 255}, kUdp);
    auto refused = sender->send_to("no", broadcast);
    NETNS_CHECK(!refused && classify(refused.error()) == errc::permission_denied,
                "a broadcast without SO_BROADCAST was not refused");
    NETNS_CHECK(sender->set_broadcast(true), "SO_BROADCAST");
    NETNS_CHECK(sender->send_to("to everyone", broadcast), "broadcast send");
    NETNS_CHECK(sender->send_to("to the group", group), "multicast send");
    std::vector<std::string> got;
    char buf[64];
    for (int i = 0; i < 2; ++i) {
      auto d = listener->receive_from(std::span<char>(buf));
      NETNS_CHECK(d, "B received nothing: " + d.error().message());
      NETNS_CHECK(d->from.address_string() == "10.77.0.1", "from the wrong address");
      got.emplace_back(buf, d->size);
    }
    std::sort(got.begin(), got.end());
    NETNS_CHECK(got[0] == "to everyone" && got[1] == "to the group", "wrong datagrams");
    report += "B received the broadcast and the multicast datagram from 10.77.0.1\n";
    hosts.call_in_b([&](EventLoop&) { listener.reset(); });
    return 0;
  });
}

}  // namespace
}  // namespace sockkit::test
