// SPDX-License-Identifier: MIT
// The resolver's configuration on a fake clock: an application's own
// configuration with its hosts file, read once and never reloaded, and the
// system's, looked at again no more often than every check interval.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "resolve/config.hpp"
#include "sockkit/stack.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;
using resolve_detail::ConfigWatch;

const ConfigWatch::Clock::time_point t0{std::chrono::hours(1)};

struct TempHosts {
  std::string path = ::testing::TempDir() + "config_watch_hosts";
  explicit TempHosts(const std::string& text) { write(text); }
  ~TempHosts() { std::remove(path.c_str()); }
  void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
};

TEST(ConfigWatch, AnApplicationsOwnConfigurationIsReadOnceAndKept) {
  TempHosts hosts("192.0.2.7 meter.local meter\n");
  ResolverConfig fixed;
  fixed.servers = {*Endpoint::parse("192.0.2.53:0")};
  fixed.hosts_file = hosts.path;
  ConfigWatch watch(fixed, t0);
  ASSERT_EQ(watch.config().servers.size(), 1u);
  EXPECT_EQ(watch.config().servers[0].port(), 53);   // a server without a port gets DNS's
  if (!stack_supports(StackFeature::unix_domain)) {  // lwIP: no file system under the stack
    EXPECT_EQ(watch.hosts().size(), 0u);
    GTEST_SKIP() << "this stack reads no files: its hosts table stays empty";
  }
  std::vector<Endpoint> found;
  EXPECT_TRUE(watch.hosts().find("METER.local", Family::ipv4, found));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].to_string(), "192.0.2.7:0");

  hosts.write("192.0.2.8 other.local\n");
  EXPECT_FALSE(watch.refresh(t0 + 1h));  // fixed: the application decides
  found.clear();
  EXPECT_TRUE(watch.hosts().find("meter", Family::ipv4, found));
}

TEST(ConfigWatch, AMissingHostsFileIsAnEmptyTable) {
  ResolverConfig fixed;
  fixed.hosts_file = ::testing::TempDir() + "config_watch_no_such_file";
  ConfigWatch watch(fixed, t0);
  EXPECT_EQ(watch.hosts().size(), 0u);
}

TEST(ConfigWatch, TheSystemsIsLookedAtAgainOnlyAfterTheCheckInterval) {
  ConfigWatch watch(std::nullopt, t0);
  const ResolverConfig before = watch.config();
  // Unchanged files: never reloaded, whenever asked.
  EXPECT_FALSE(watch.refresh(t0 + ConfigWatch::kCheckEvery - 1ms));
  EXPECT_FALSE(watch.refresh(t0 + ConfigWatch::kCheckEvery));
  EXPECT_FALSE(watch.refresh(t0 + 10 * ConfigWatch::kCheckEvery));
  EXPECT_EQ(watch.config().servers, before.servers);
  EXPECT_EQ(watch.config().search, before.search);
}

}  // namespace
}  // namespace sockkit::test
