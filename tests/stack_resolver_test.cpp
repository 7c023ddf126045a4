// SPDX-License-Identifier: MIT
// The stack resolver engine: lookups answered by lwIP's own DNS client, asking
// a server on the test's loop at the stack's 127.0.0.1:53. Where the stack has
// no DNS client (Linux) the engine is refused with a clear error.
#include "support/resolver_fixture.hpp"

namespace sockkit::test {
namespace {

class StackResolverTest : public ResolverTest {
 protected:
  ResolverEngine engine_under_test() const override { return ResolverEngine::stack; }
  void SetUp() override {
    ResolverTest::SetUp();
    if (IsSkipped()) return;  // this stack has no DNS client of its own
    // lwIP's client asks port 53, always.
    server = FakeDns::start(*loop, "127.0.0.1", 53);
    ASSERT_TRUE(server);
    server->add({"host.test", 1, "10.0.0.1", 300});
    server->add({"host.test", 28, "fd00::1", 300});
    server->add({"other.test", 1, "10.0.0.2", 300});
    server->add({"fresh.test", 1, "10.0.0.3", 300});
  }
  void TearDown() override {
    resolver.reset();
    server.reset();
    ResolverTest::TearDown();
  }
  /// A resolver on the stack engine asking `server`.
  void make_stack(ResolverOptions options = {}) {
    options.engine = ResolverEngine::stack;
    options.config = config({server->endpoint()});
    auto r = Resolver::create(*loop, options);
    ASSERT_OK(r);
    resolver = std::move(*r);
  }

  std::unique_ptr<FakeDns> server;
};

TEST(StackResolverEngine, RefusedWhereTheStackHasNoDnsClient) {
  if (resolver_engine_available(ResolverEngine::stack))
    GTEST_SKIP() << "this stack has a DNS client: the suite below runs instead";
  auto l = EventLoop::create();
  ASSERT_OK(l);
  auto r = Resolver::create(*l, {.engine = ResolverEngine::stack});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(failure::backend_unavailable));
  EXPECT_EQ(default_resolver_engine(), ResolverEngine::sockkit);
}

TEST_F(StackResolverTest, ANameIsAnsweredByTheStacksClient) {
  make_stack();
  auto got = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_OK(got[0].result);
  EXPECT_TRUE(got[0].last);
  EXPECT_EQ(got[0].result->addresses.at(0).address.to_string(), "10.0.0.1:80");
  EXPECT_EQ(got[0].result->source, AnswerSource::server);
  EXPECT_EQ(got[0].result->canonical_name, "host.test");
  EXPECT_GE(server->udp_queries, 1u);
  EXPECT_EQ(resolver->stats().answers_accepted, 1u);
}

TEST_F(StackResolverTest, NoServerToAskIsAServerFailureNotAMalformedName) {
  // A device whose network gave it no DNS server: the name is fine, there
  // is nobody to ask, as sockkit's own engine says.
  auto r = Resolver::create(*loop, {.engine = ResolverEngine::stack, .config = config({})});
  ASSERT_OK(r);
  resolver = std::move(*r);
  auto got = lookup("nobody-to-ask.test", LookupFamilies::ipv4);  // in no stack cache
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].result);
  EXPECT_EQ(got[0].result.error(), failure::dns_server_failure) << got[0].result.error().message();
  EXPECT_TRUE(got[0].result.error() == errc::name_not_resolved);
  EXPECT_EQ(server->udp_queries, 0u);
}

TEST_F(StackResolverTest, BothFamiliesReportAndTheLastSaysSo) {
  make_stack();
  auto got = lookup("host.test");
  ASSERT_FALSE(got.empty());
  const auto* v4 = of(got, Family::ipv4);
  ASSERT_NE(v4, nullptr);
  ASSERT_OK(v4->result);
  EXPECT_EQ(v4->result->addresses.at(0).address.address_string(), "10.0.0.1");
  if (has_ipv6()) {
    const auto* v6 = of(got, Family::ipv6);
    ASSERT_NE(v6, nullptr);
    ASSERT_OK(v6->result);
    EXPECT_EQ(v6->result->addresses.at(0).address.address_string(), "fd00::1");
  } else {
    EXPECT_EQ(got.size(), 1u) << "AAAA is not asked without IPv6";
  }
  EXPECT_TRUE(got.back().last);
}

TEST_F(StackResolverTest, AFamilyTheStackLacksHasNoAddress) {
  if (has_ipv6()) GTEST_SKIP() << "this stack has IPv6";
  make_stack();
  auto got = lookup("host.test", LookupFamilies::ipv6);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::no_address));
  EXPECT_EQ(server->udp_queries, 0u);
}

TEST_F(StackResolverTest, NumericTextIsAnsweredWithoutAQueryAndNeverInsideTheCall) {
  make_stack();
  bool called = false;
  std::vector<FamilyAnswer> got;
  resolver->lookup("192.0.2.9", 443, LookupFamilies::ipv4, 2s, [&](const FamilyAnswer& a) {
    called = true;
    got.push_back(a);
  });
  EXPECT_FALSE(called) << "called back from inside lookup()";
  ASSERT_TRUE(loop->run_until([&] { return called; }, EventLoop::Clock::now() + 2s));
  ASSERT_OK(got.at(0).result);
  EXPECT_EQ(got[0].result->source, AnswerSource::numeric);
  EXPECT_EQ(got[0].result->addresses.at(0).address.to_string(), "192.0.2.9:443");
  EXPECT_EQ(server->udp_queries, 0u);
}

TEST_F(StackResolverTest, AMissingNameFailsAsNotResolved) {
  make_stack();
  auto got = lookup("missing.test", LookupFamilies::ipv4);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].result);
  // lwIP's client does not tell NXDOMAIN from a failed server.
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::resolver_failure));
  EXPECT_EQ(got[0].result.error(), errc::name_not_resolved);
}

TEST_F(StackResolverTest, ASilentServerEndsAtTheDeadline) {
  server->behaviour = DnsBehaviour::silent;
  make_stack();
  const auto start = EventLoop::Clock::now();
  auto got = lookup("host.test", LookupFamilies::ipv4, 400ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result.error(), make_error_code(failure::resolve_timeout));
  EXPECT_GE(EventLoop::Clock::now() - start, 400ms);
  EXPECT_EQ(resolver->stats().timeouts, 1u);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST_F(StackResolverTest, GarbageFromTheServerIsNotAnAnswer) {
  server->behaviour = DnsBehaviour::garbage;
  make_stack();
  auto got = lookup("host.test", LookupFamilies::ipv4, 500ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].result);
}

TEST_F(StackResolverTest, ACancelledLookupNeverCallsBackAndItsLateAnswerIsDropped) {
  server->delay = 150ms;
  make_stack();
  bool called = false;
  const auto id = resolver->lookup("other.test", 80, LookupFamilies::ipv4, 2s,
                                   [&](const FamilyAnswer&) { called = true; });
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 30ms);  // lwIP has asked
  EXPECT_TRUE(resolver->cancel(id));
  EXPECT_EQ(resolver->pending(), 0u);
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 400ms);  // the answer comes
  EXPECT_FALSE(called);
  // The engine is sound afterwards: the next lookup is answered.
  auto got = lookup("host.test", LookupFamilies::ipv4);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_OK(got[0].result);
}

TEST_F(StackResolverTest, TheResolverDestroyedWithALookupInFlightDropsTheLateAnswer) {
  server->delay = 150ms;
  make_stack();
  bool called = false;
  resolver->lookup("fresh.test", 80, LookupFamilies::ipv4, 2s,
                   [&](const FamilyAnswer&) { called = true; });
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 30ms);
  resolver.reset();
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 400ms);
  EXPECT_FALSE(called);
  EXPECT_GE(server->udp_queries, 1u) << "the query had left";
}

TEST_F(StackResolverTest, TheResolverMayBeDestroyedFromItsOwnCallback) {
  make_stack();
  bool called = false;
  resolver->lookup("host.test", 80, LookupFamilies::both, 2s, [&](const FamilyAnswer&) {
    called = true;
    resolver.reset();  // no further callback, nothing freed under the caller
  });
  ASSERT_TRUE(loop->run_until([&] { return called; }, EventLoop::Clock::now() + 3s));
  loop->run_until([] { return false; }, EventLoop::Clock::now() + 200ms);
  EXPECT_FALSE(resolver.has_value());
}

TEST_F(StackResolverTest, ARepeatedNameComesFromTheStacksCache) {
  make_stack();
  auto first = lookup("other.test", LookupFamilies::ipv4);
  ASSERT_OK(first.at(0).result);
  const unsigned asked = server->udp_queries;
  auto again = lookup("other.test", LookupFamilies::ipv4);
  ASSERT_OK(again.at(0).result);
  EXPECT_EQ(again[0].result->source, AnswerSource::cache);
  EXPECT_EQ(server->udp_queries, asked);
  EXPECT_EQ(resolver->stats().cache_hits, 1u);
}

TEST_F(StackResolverTest, MoreLookupsThanTheStackHoldsFailWithLimitNotAHang) {
  server->delay = 100ms;
  make_stack();
  constexpr int kLookups = 24;  // past lwIP's table (DNS_TABLE_SIZE) and the engine's slots
  int answered = 0, limited = 0, other = 0;
  for (int i = 0; i < kLookups; ++i)
    resolver->lookup("n" + std::to_string(i) + ".test", 80, LookupFamilies::ipv4, 3s,
                     [&](const FamilyAnswer& a) {
                       if (a.result || a.result.error() == failure::resolver_failure)
                         ++answered;  // asked: the server says NXDOMAIN
                       else if (a.result.error() == failure::limit_reached)
                         ++limited;
                       else
                         ++other;
                     });
  ASSERT_TRUE(loop->run_until([&] { return answered + limited + other == kLookups; },
                              EventLoop::Clock::now() + 5s));
  EXPECT_GT(answered, 0);
  EXPECT_GT(limited, 0);
  EXPECT_EQ(other, 0);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST_F(StackResolverTest, HostAndPortTextGivesEndpointsToConnectTo) {
  make_stack();
  bool done = false;
  Result<std::vector<Endpoint>> found = std::make_error_code(std::errc::interrupted);
  resolver->lookup_endpoints("host.test:1883", 2s, [&](Result<std::vector<Endpoint>> r) {
    found = std::move(r);
    done = true;
  });
  ASSERT_TRUE(loop->run_until([&] { return done; }, EventLoop::Clock::now() + 3s));
  ASSERT_OK(found);
  ASSERT_FALSE(found->empty());
  bool has_v4 = false;
  for (const auto& e : *found)
    has_v4 = has_v4 || e.to_string() == "10.0.0.1:1883";
  EXPECT_TRUE(has_v4);
}

}  // namespace
}  // namespace sockkit::test
