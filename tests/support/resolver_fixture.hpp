// SPDX-License-Identifier: MIT
// A loop with two DNS servers on it (support/fake_dns) and a resolver to
// point at them: the fixture of the resolver suites, on every stack.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "support/fake_dns.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {

using namespace std::chrono_literals;

class ResolverTest : public SockkitTest {
 protected:
  void SetUp() override {
    SockkitTest::SetUp();
    if (!resolver_engine_available(engine_under_test()))
      GTEST_SKIP() << "this build has no such resolver engine (SOCKKIT_RESOLVER)";
    auto l = EventLoop::create();
    ASSERT_OK(l);
    loop = std::move(*l);
    primary = FakeDns::start(*loop);
    secondary = FakeDns::start(*loop);
    ASSERT_TRUE(primary && secondary);
    for (auto* s : {primary.get(), secondary.get()}) {
      s->add({"host.test", 1, "10.0.0.1", 300});
      s->add({"host.test", 28, "fd00::1", 300});
      s->add({"v4only.test", 1, "10.0.0.4", 300});
      s->add({"alias.test", 5, "host.test", 120});
      s->add({"short.test", 1, "10.0.0.7", 1});
    }
  }
  void TearDown() override {
    resolver.reset();
    primary.reset();
    secondary.reset();
    if (loop)
      loop->run_until([] { return false; }, EventLoop::Clock::now() + 20ms);  // deferred frees
    loop.reset();
    SockkitTest::TearDown();
  }

  /// The engine the suite tests: sockkit's own, unless a suite says otherwise.
  virtual ResolverEngine engine_under_test() const { return ResolverEngine::sockkit; }

  ResolverConfig config(std::vector<Endpoint> servers, std::chrono::milliseconds timeout = 300ms) {
    ResolverConfig c;
    c.servers = std::move(servers);
    c.timeout = timeout;
    c.attempts = 2;
    return c;
  }
  void make(const ResolverConfig& c, ResolverOptions options = {}) {
    options.config = c;
    options.engine = engine_under_test();
    auto r = Resolver::create(*loop, options);
    ASSERT_OK(r);
    resolver = std::move(*r);
  }
  /// Runs one lookup to its end; the answers in arrival order.
  std::vector<FamilyAnswer> lookup(std::string_view name, LookupFamilies f = LookupFamilies::both,
                                   std::chrono::milliseconds deadline = 5s) {
    std::vector<FamilyAnswer> got;
    bool done = false;
    resolver->lookup(name, 80, f, deadline, [&](const FamilyAnswer& a) {
      got.push_back(a);
      done = a.last;
    });
    EXPECT_TRUE(loop->run_until([&] { return done; }, EventLoop::Clock::now() + deadline + 2s));
    return got;
  }
  static const FamilyAnswer* of(const std::vector<FamilyAnswer>& v, Family f) {
    for (const auto& a : v)
      if (a.family == f) return &a;
    return nullptr;
  }

  std::optional<EventLoop> loop;
  std::unique_ptr<FakeDns> primary, secondary;
  std::optional<Resolver> resolver;
};

inline bool has_ipv6() {
  return stack_supports(StackFeature::ipv6);
}

}  // namespace sockkit::test
