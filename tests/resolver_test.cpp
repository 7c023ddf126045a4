// SPDX-License-Identifier: MIT
// The asynchronous resolver against servers on the test's own loop: answers,
// failures, failover, TCP after truncation, caching, spoofing, and the rules
// of callbacks. The same suite runs on every stack.
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>

#include "support/ping_pong.hpp"
#include "support/resolver_fixture.hpp"

namespace sockkit::test {
namespace {

TEST_F(ResolverTest, AAndAaaaAreAskedInParallelAndEachReports) {
  make(config({primary->endpoint()}));
  auto got = lookup("host.test");
  const auto* v4 = of(got, Family::ipv4);
  ASSERT_NE(v4, nullptr);
  ASSERT_OK(v4->result);
  ASSERT_EQ(v4->result->addresses.size(), 1u);
  EXPECT_EQ(v4->result->addresses[0].address.to_string(), "10.0.0.1:80");
  EXPECT_EQ(v4->result->source, AnswerSource::server);
  EXPECT_EQ(v4->result->server, primary->endpoint());
  EXPECT_GT(v4->result->addresses[0].ttl.count(), 290);
  if (has_ipv6()) {
    const auto* v6 = of(got, Family::ipv6);
    ASSERT_NE(v6, nullptr);
    ASSERT_OK(v6->result);
    EXPECT_EQ(v6->result->addresses[0].address.to_string(), "[fd00::1]:80");
    EXPECT_EQ(primary->udp_queries, 2u);
  }
  EXPECT_TRUE(got.back().last);
}

TEST_F(ResolverTest, CnameIsFollowedToItsAddresses) {
  make(config({primary->endpoint()}));
  auto got = lookup("alias.test", LookupFamilies::ipv4);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(got[0].result->canonical_name, "host.test");
  EXPECT_EQ(got[0].result->addresses[0].address.address_string(), "10.0.0.1");
  EXPECT_LE(got[0].result->addresses[0].ttl.count(), 120);  // the chain's lowest TTL
}

TEST_F(ResolverTest, NxdomainIsNameNotFoundAndNoDataIsNoAddress) {
  make(config({primary->endpoint()}));
  auto nx = lookup("missing.test", LookupFamilies::ipv4);
  ASSERT_EQ(nx.size(), 1u);
  EXPECT_EQ(nx[0].result.error(), make_error_code(failure::name_not_found));
  EXPECT_EQ(nx[0].result.error(), errc::name_not_resolved);
  auto nodata = lookup("v4only.test", LookupFamilies::ipv6);
  if (!has_ipv6()) GTEST_SKIP() << "no IPv6 on this stack: AAAA is not asked";
  ASSERT_EQ(nodata.size(), 1u);
  EXPECT_EQ(nodata[0].result.error(), make_error_code(failure::no_address));
}

TEST_F(ResolverTest, ServfailFromThePrimaryFailsOverToTheSecondary) {
  primary->behaviour = DnsBehaviour::servfail;
  make(config({primary->endpoint(), secondary->endpoint()}));
  auto got = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(got[0].result->server, secondary->endpoint());
  EXPECT_EQ(primary->udp_queries, 1u);
}

TEST_F(ResolverTest, EveryServerFailingIsAServerFailure) {
  primary->behaviour = DnsBehaviour::refused;
  secondary->behaviour = DnsBehaviour::servfail;
  make(config({primary->endpoint(), secondary->endpoint()}));
  auto got = lookup("host.test", LookupFamilies::ipv4);
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::dns_server_failure));
  EXPECT_EQ(primary->udp_queries + secondary->udp_queries, 4u);  // 2 attempts x 2 servers
}

TEST_F(ResolverTest, SilentPrimaryFailsOverAfterItsTimeout) {
  primary->behaviour = DnsBehaviour::silent;
  make(config({primary->endpoint(), secondary->endpoint()}, 200ms));
  auto got = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(got[0].result->server, secondary->endpoint());
  EXPECT_EQ(resolver->stats().timeouts, 1u);
}

TEST_F(ResolverTest, RotateSpreadsFirstTriesOverTheServers) {
  auto c = config({primary->endpoint(), secondary->endpoint()});
  c.rotate = true;
  make(c, {.cache_entries = 0});
  for (int i = 0; i < 16; ++i)
    lookup("host.test", LookupFamilies::ipv4);
  EXPECT_GT(primary->udp_queries, 0u);
  EXPECT_GT(secondary->udp_queries, 0u);
  EXPECT_EQ(primary->udp_queries + secondary->udp_queries, 16u);
}

TEST_F(ResolverTest, WithoutRotateThePrimaryIsAskedFirst) {
  make(config({primary->endpoint(), secondary->endpoint()}), {.cache_entries = 0});
  for (int i = 0; i < 4; ++i)
    lookup("host.test", LookupFamilies::ipv4);
  EXPECT_EQ(primary->udp_queries, 4u);
  EXPECT_EQ(secondary->udp_queries, 0u);
}

TEST_F(ResolverTest, SlowServerStillAnswersWithinItsTry) {
  primary->delay = 150ms;
  make(config({primary->endpoint()}, 1s));
  auto got = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(primary->udp_queries, 1u);
}

TEST_F(ResolverTest, NobodyAnsweringEndsAsTimeoutWithinTheDeadline) {
  primary->behaviour = DnsBehaviour::silent;
  make(config({primary->endpoint()}, 10s));
  auto got = lookup("host.test", LookupFamilies::both, 300ms);
  ASSERT_FALSE(got.empty());
  for (const auto& a : got)
    EXPECT_EQ(a.result.error(), errc::timed_out);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST_F(ResolverTest, TruncatedAnswerIsAskedAgainOverTcp) {
  primary->behaviour = DnsBehaviour::truncate_udp;
  make(config({primary->endpoint()}));
  auto got = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(got[0].result->addresses[0].address.address_string(), "10.0.0.1");
  EXPECT_EQ(primary->tcp_queries, 1u);
  EXPECT_EQ(resolver->stats().tcp_queries, 1u);
}

TEST_F(ResolverTest, EveryAddressOfALongAnswerIsReported) {
  // 200 A records: over TCP, as glibc reports them, none dropped and in the server's order.
  primary->behaviour = DnsBehaviour::truncate_udp;
  for (int i = 0; i < 200; ++i) {
    std::string address = "10.1.";
    address += std::to_string(i / 100) + "." + std::to_string(i % 100 + 1);
    primary->add({"many.test", 1, address});
  }
  make(config({primary->endpoint()}));
  auto got = lookup("many.test", LookupFamilies::ipv4);
  ASSERT_OK(got[0].result);
  ASSERT_EQ(got[0].result->addresses.size(), 200u);
  EXPECT_EQ(got[0].result->addresses[0].address.address_string(), "10.1.0.1");
  EXPECT_EQ(got[0].result->addresses[199].address.address_string(), "10.1.1.100");
}

TEST_F(ResolverTest, AnswersAreCachedForTheirTtlAndNegativeAnswersToo) {
  make(config({primary->endpoint()}));
  lookup("host.test", LookupFamilies::ipv4);
  auto again = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_OK(again[0].result);
  EXPECT_EQ(again[0].result->source, AnswerSource::cache);
  EXPECT_EQ(again[0].result->server, primary->endpoint());
  lookup("missing.test", LookupFamilies::ipv4);
  auto nx = lookup("missing.test", LookupFamilies::ipv4);
  EXPECT_EQ(nx[0].result.error(), make_error_code(failure::name_not_found));
  EXPECT_EQ(primary->udp_queries, 2u);  // one per name: the repeats came from the cache
  EXPECT_EQ(resolver->stats().cache_hits, 2u);
}

TEST_F(ResolverTest, ExpiredTtlIsAskedAgain) {
  make(config({primary->endpoint()}));
  lookup("short.test", LookupFamilies::ipv4);  // TTL 1 s
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 1100ms);
  auto again = lookup("short.test", LookupFamilies::ipv4);
  ASSERT_OK(again[0].result);
  EXPECT_EQ(again[0].result->source, AnswerSource::server);
  EXPECT_EQ(primary->udp_queries, 2u);
}

TEST_F(ResolverTest, CacheIsBounded) {
  ResolverOptions o;
  o.cache_entries = 2;
  make(config({primary->endpoint()}), o);
  std::vector<FamilyAnswer> last;
  for (auto* name : {"host.test", "v4only.test", "alias.test", "host.test"})
    last = lookup(name, LookupFamilies::ipv4);
  ASSERT_OK(last[0].result);
  EXPECT_EQ(last[0].result->source, AnswerSource::server);  // evicted to make room for alias.test
  EXPECT_EQ(primary->udp_queries, 4u);
  EXPECT_EQ(resolver->stats().cache_hits, 0u);
}

TEST_F(ResolverTest, SearchDomainsAreTriedForShortNames) {
  auto c = config({primary->endpoint()});
  c.search = {"nowhere.example", "test"};
  make(c);
  auto got = lookup("host", LookupFamilies::ipv4);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(got[0].result->canonical_name, "host.test");
  EXPECT_EQ(primary->names_asked, (std::vector<std::string>{"host.nowhere.example", "host.test"}));
}

TEST_F(ResolverTest, SpoofedAnswersAreIgnored) {
  for (auto b :
       {DnsBehaviour::from_other_port, DnsBehaviour::wrong_id, DnsBehaviour::wrong_question,
        DnsBehaviour::garbage, DnsBehaviour::compression_loop}) {
    SCOPED_TRACE(int(b));
    primary->behaviour = b;
    make(config({primary->endpoint(), secondary->endpoint()}, 150ms));
    auto got = lookup("host.test", LookupFamilies::ipv4);
    ASSERT_OK(got[0].result);
    EXPECT_EQ(got[0].result->server, secondary->endpoint());
    // From another port, the socket connected to the server never hears it.
    if (b != DnsBehaviour::from_other_port) {
      EXPECT_GE(resolver->stats().answers_rejected, 1u);
    }
  }
}

TEST_F(ResolverTest, MalformedAnswersFromEveryServerAreAClearError) {
  primary->behaviour = DnsBehaviour::compression_loop;
  make(config({primary->endpoint()}, 100ms));
  auto got = lookup("host.test", LookupFamilies::ipv4);
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::dns_malformed_answer));
}

// A reply from the server asked, to the question asked, that cannot be used
// ends that try at once: with tries of a minute and a lookup deadline of 2 s,
// the lookup ends with the answer's fault, not with the deadline.
TEST_F(ResolverTest, AnUnusableReplyToTheQuestionEndsItsTryAtOnce) {
  primary->behaviour = DnsBehaviour::compression_loop;
  make(config({primary->endpoint()}, std::chrono::minutes(1)));
  auto got = lookup("host.test", LookupFamilies::ipv4, 2s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::dns_malformed_answer))
      << got[0].result.error().message();
}

// A server address where nothing listens answers with ICMP port unreachable:
// the try ends at once, as glibc's does, instead of waiting out its timer
// (here a minute, past the lookup's 2 s deadline).
TEST_F(ResolverTest, AClosedServerPortEndsItsTryAtOnce) {
  if (!stack_supports(StackFeature::icmp_errors))
    GTEST_SKIP() << "this stack does not pass ICMP errors to UDP sockets: the try times out";
  Endpoint closed;
  {
    auto probe = UdpSocket::bind(Endpoint::loopback_v4(0));
    ASSERT_OK(probe);
    auto at = probe->local_endpoint();
    ASSERT_OK(at);
    closed = *at;
  }  // closed: nothing listens there now
  make(config({closed}, std::chrono::minutes(1)));
  auto got = lookup("host.test", LookupFamilies::ipv4, 2s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::dns_server_failure))
      << got[0].result.error().message();
}

TEST_F(ResolverTest, QueryIdsAndSourcePortsAreRandom) {
  make(config({primary->endpoint()}), {.cache_entries = 0});
  for (int i = 0; i < 8; ++i)
    lookup("host.test", LookupFamilies::ipv4);
  EXPECT_GE(primary->ids.size(), 7u);
  EXPECT_GE(primary->source_ports.size(), 7u);
  int sequential = 0;
  for (auto it = primary->source_ports.begin(); std::next(it) != primary->source_ports.end(); ++it)
    sequential += *std::next(it) == *it + 1;
  EXPECT_LT(sequential, 3);
  for (auto p : primary->source_ports)
    EXPECT_GE(p, 49152);
}

TEST_F(ResolverTest, NumericAndLocalhostNeedNoServer) {
  make(config({}));
  auto n = lookup("192.0.2.7", LookupFamilies::ipv4);
  ASSERT_OK(n[0].result);
  EXPECT_EQ(n[0].result->source, AnswerSource::numeric);
  auto l = lookup("localhost", LookupFamilies::ipv4);
  ASSERT_OK(l[0].result);
  EXPECT_TRUE(l[0].result->addresses[0].address.is_loopback());
  // RFC 6761 6.3, with a final dot too: never asked of a server (there is none here).
  auto dotted = lookup("foo.localhost.", LookupFamilies::ipv4);
  ASSERT_OK(dotted[0].result);
  EXPECT_TRUE(dotted[0].result->addresses[0].address.is_loopback());
  auto none = lookup("host.test", LookupFamilies::ipv4);
  EXPECT_EQ(none[0].result.error(), make_error_code(failure::dns_server_failure));
  auto bad = lookup("bad name!", LookupFamilies::ipv4);
  EXPECT_EQ(bad[0].result.error(), errc::invalid_argument);
}

TEST_F(ResolverTest, HostsFileComesFirst) {
  if (!stack_supports(StackFeature::unix_domain)) GTEST_SKIP() << "this stack reads no files";
  char path[] = "/tmp/sockkit-hosts-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "10.9.9.9 host.test\n";
  auto c = config({primary->endpoint()});
  c.hosts_file = path;
  make(c);
  auto got = lookup("HOST.test", LookupFamilies::ipv4);
  std::remove(path);
  ASSERT_OK(got[0].result);
  EXPECT_EQ(got[0].result->source, AnswerSource::hosts_file);
  EXPECT_EQ(got[0].result->addresses[0].address.address_string(), "10.9.9.9");
  EXPECT_EQ(primary->udp_queries, 0u);
}

TEST_F(ResolverTest, ServersTheStackHoldsAreTheSystemsOnes) {
  const std::array servers{*Endpoint::parse("192.0.2.53:53"), *Endpoint::parse("192.0.2.54:0")};
  auto set = set_stack_dns_servers(servers);
  if (!set) {
    EXPECT_EQ(set.error(), errc::not_supported);  // Linux: resolv.conf holds them
    EXPECT_EQ(std::string(stack_name()), "linux");
    return;
  }
  const auto config = ResolverConfig::system();
  EXPECT_NE(std::find(config.servers.begin(), config.servers.end(), servers[0]),
            config.servers.end());
  EXPECT_NE(std::find(config.servers.begin(), config.servers.end(), servers[1].with_port(53)),
            config.servers.end());
  const std::array bad{*Endpoint::parse("192.0.2.53:5353")};
  EXPECT_ERRC(set_stack_dns_servers(bad), errc::invalid_argument);
  ASSERT_OK(set_stack_dns_servers({}));
  EXPECT_TRUE(ResolverConfig::system().servers.empty());
}

TEST_F(ResolverTest, CallbacksNeverRunInsideLookup) {
  make(config({}));
  bool called = false;
  resolver->lookup("10.0.0.1", 1, LookupFamilies::ipv4, 1s,
                   [&](const FamilyAnswer&) { called = true; });
  EXPECT_FALSE(called);
  loop->run_until([&] { return called; }, EventLoop::Clock::now() + 1s);
  EXPECT_TRUE(called);
}

TEST_F(ResolverTest, CancelledLookupNeverCallsBack) {
  primary->delay = 50ms;
  make(config({primary->endpoint()}));
  int calls = 0;
  auto id = resolver->lookup("host.test", 80, LookupFamilies::both, 1s,
                             [&](const FamilyAnswer&) { ++calls; });
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 10ms);
  EXPECT_TRUE(resolver->cancel(id));
  EXPECT_FALSE(resolver->cancel(id));
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 200ms);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST_F(ResolverTest, ResolverDestroyedInsideItsOwnCallback) {
  if (!has_ipv6()) GTEST_SKIP() << "needs two families in one lookup";
  primary->delay = 5ms;
  make(config({primary->endpoint()}));
  int calls = 0;
  resolver->lookup("host.test", 80, LookupFamilies::both, 1s, [&](const FamilyAnswer&) {
    ++calls;
    resolver.reset();  // the other family's answer must never arrive
  });
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 300ms);
  EXPECT_EQ(calls, 1);
}

TEST_F(ResolverTest, NewLookupFromInsideACallback) {
  make(config({primary->endpoint()}));
  std::vector<std::string> seen;
  resolver->lookup("alias.test", 80, LookupFamilies::ipv4, 1s, [&](const FamilyAnswer& a) {
    seen.push_back(a.result ? a.result->canonical_name : "error");
    resolver->lookup("v4only.test", 80, LookupFamilies::ipv4, 1s, [&](const FamilyAnswer& b) {
      seen.push_back(b.result ? b.result->canonical_name : "error");
    });
  });
  loop->run_until([&] { return seen.size() == 2; }, EventLoop::Clock::now() + 2s);
  EXPECT_EQ(seen, (std::vector<std::string>{"host.test", "v4only.test"}));
}

TEST_F(ResolverTest, LookupEndpointsInterleavesFamilies) {
  make(config({primary->endpoint()}));
  Result<std::vector<Endpoint>> got = failure::resolver_failure;
  bool done = false;
  resolver->lookup_endpoints("host.test:443", 2s, [&](Result<std::vector<Endpoint>> r) {
    got = std::move(r);
    done = true;
  });
  loop->run_until([&] { return done; }, EventLoop::Clock::now() + 3s);
  ASSERT_OK(got);
  if (has_ipv6()) {
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[0].to_string(), "[fd00::1]:443");
    EXPECT_EQ((*got)[1].to_string(), "10.0.0.1:443");
  } else {
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].to_string(), "10.0.0.1:443");
  }
  done = false;
  resolver->lookup_endpoints("missing.test:1", 2s, [&](Result<std::vector<Endpoint>> r) {
    got = std::move(r);
    done = true;
  });
  loop->run_until([&] { return done; }, EventLoop::Clock::now() + 3s);
  EXPECT_EQ(got.error(), make_error_code(failure::name_not_found));
}

// The point of an asynchronous resolver: while a lookup waits on a server
// that never answers, the same loop keeps serving a ping-pong connection.
TEST_F(ResolverTest, LoopKeepsServingWhileALookupWaitsOnABlackholedServer) {
  primary->behaviour = DnsBehaviour::silent;
  make(config({primary->endpoint()}, 2s));
  bool resolved = false;
  resolver->lookup("host.test", 80, LookupFamilies::both, 1500ms,
                   [&](const FamilyAnswer& a) { resolved = a.last; });
  const auto pp = ping_pong_while(*loop, 1s, [&] { return resolved; });
  ASSERT_EQ(pp.error, "");
  const auto worst = pp.worst;
  const int round_trips = pp.round_trips;
  EXPECT_FALSE(resolved) << "the lookup should still be waiting on the silent server";
  EXPECT_GT(round_trips, 50);
  std::printf("worst round trip while resolving: %.3f ms over %d round trips\n",
              std::chrono::duration<double, std::milli>(worst).count(), round_trips);
  EXPECT_LT(worst, kWorstRoundTrip);
}

TEST_F(ResolverTest, NoServerToAskAnswersFromTheLoopNeverInsideTheCall) {
  make(config({}));  // nobody to ask
  int answers = 0;
  std::error_code why;
  resolver->lookup("nobody.test", 80, LookupFamilies::ipv4, 1s, [&](const FamilyAnswer& a) {
    ++answers;
    if (!a.result) why = a.result.error();
  });
  EXPECT_EQ(answers, 0) << "the callback runs on the loop, not inside lookup()";
  loop->run_until([&] { return answers > 0; }, EventLoop::Clock::now() + 2s);
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(why, failure::dns_server_failure) << why.message();
}

TEST_F(ResolverTest, DestroyedResolverAnswersNothingItHadQueued) {
  make(config({primary->endpoint()}));
  int answers = 0;
  resolver->lookup_endpoints("192.0.2.1:80", 1s, [&](auto) { ++answers; });
  resolver->lookup("host.test", 80, LookupFamilies::both, 1s, [&](auto&) { ++answers; });
  resolver.reset();  // before the loop has run once
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 50ms);
  EXPECT_EQ(answers, 0);
}

}  // namespace
}  // namespace sockkit::test
