// SPDX-License-Identifier: MIT
// Endpoint parsing, formatting and resolution, including every kind of bad input.
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using EndpointTest = SockkitTest;

TEST_F(EndpointTest, ParsesAndFormatsBackEveryFamily) {
  const char* texts[] = {"1.2.3.4:80",       "0.0.0.0:0",           "255.255.255.255:65535",
                         "[::1]:80",         "[::]:8080",           "[2001:db8::1]:8883",
                         "[fe80::1%2]:80",   "[::ffff:10.0.0.1]:1", "[1:2:3:4:5:6:7:8]:9",
                         "unix:/run/x.sock", "unix:@abstract-name"};
  for (const char* text : texts) {
    auto ep = Endpoint::parse(text);
    ASSERT_OK(ep);
    EXPECT_EQ(ep->to_string(), text);
    auto again = Endpoint::parse(ep->to_string());
    ASSERT_OK(again);
    EXPECT_EQ(*again, *ep);
  }
}

TEST_F(EndpointTest, CanonicalisesIpv6PerRfc5952) {
  EXPECT_EQ(Endpoint::parse("[2001:0DB8:0:0:0:0:0:1]:1")->to_string(), "[2001:db8::1]:1");
  EXPECT_EQ(Endpoint::parse("[2001:db8:0:0:1:0:0:1]:1")->to_string(), "[2001:db8::1:0:0:1]:1");
  EXPECT_EQ(Endpoint::parse("[2001:db8:0:1:1:1:1:1]:1")->to_string(), "[2001:db8:0:1:1:1:1:1]:1");
  EXPECT_EQ(Endpoint::parse("[0:0:0:0:0:0:0:0]:1")->to_string(), "[::]:1");
  EXPECT_EQ(Endpoint::parse("[1::]:1")->to_string(), "[1::]:1");
}

TEST_F(EndpointTest, ExposesItsParts) {
  auto ep = *Endpoint::parse("192.0.2.7:502");
  EXPECT_EQ(ep.family(), Family::ipv4);
  EXPECT_EQ(ep.port(), 502);
  EXPECT_EQ(ep.address_bytes().size(), 4u);
  EXPECT_EQ(ep.address_bytes()[0], 192);
  EXPECT_EQ(ep.with_port(1).port(), 1);
  EXPECT_FALSE(ep.is_loopback());
  EXPECT_TRUE(Endpoint::loopback_v4(1).is_loopback());
  EXPECT_TRUE(Endpoint::loopback_v6(1).is_loopback());
  EXPECT_TRUE(Endpoint::any_v6(1).is_unspecified());
  EXPECT_TRUE(Endpoint::parse("239.1.2.3:0")->is_multicast());
  EXPECT_TRUE(Endpoint::parse("[ff02::1]:0")->is_multicast());
  auto scoped = *Endpoint::parse("[fe80::1%7]:80");
  EXPECT_EQ(scoped.scope_id(), 7u);
  auto abstract = *Endpoint::parse("unix:@meter");
  EXPECT_TRUE(abstract.is_abstract());
  EXPECT_EQ(abstract.unix_name(), "meter");
}

TEST_F(EndpointTest, ScopeByInterfaceName) {
  SOCKKIT_REQUIRE(interface_names);
  auto ep = Endpoint::parse("[fe80::1%lo]:80");
  ASSERT_OK(ep);
  EXPECT_NE(ep->scope_id(), 0u);
  EXPECT_TRUE(Endpoint::parse("[fe80::1%no-such-if0]:80").error() == failure::unknown_interface);
}

TEST_F(EndpointTest, RejectsMalformedTextWithAClearReason) {
  struct Case {
    const char* text;
    failure why;
  };
  const Case cases[] = {
      {"", failure::malformed_address},
      {"1.2.3.4", failure::missing_port},
      {"1.2.3.4:", failure::missing_port},
      {"1.2.3.4:65536", failure::port_out_of_range},
      {"1.2.3.4:-1", failure::port_out_of_range},
      {"1.2.3.4:99999999", failure::port_out_of_range},
      {"1.2.3.4:8o", failure::malformed_address},
      {"1.2.3.4:+80", failure::malformed_address},
      {"256.1.1.1:80", failure::malformed_address},
      {"1.2.3:80", failure::malformed_address},
      {"1.2.3.4.5:80", failure::malformed_address},
      {"01.2.3.4:80", failure::malformed_address},
      {"1..2.3:80", failure::malformed_address},
      {" 1.2.3.4:80", failure::malformed_address},
      {"::1:80", failure::malformed_address},
      {"[::1]", failure::missing_port},
      {"[::1]80", failure::malformed_address},
      {"[::1:80", failure::malformed_address},
      {"[1:2:3:4:5:6:7:8:9]:80", failure::malformed_address},
      {"[1::2::3]:80", failure::malformed_address},
      {"[12345::]:80", failure::malformed_address},
      {"[:1]:80", failure::malformed_address},
      {"[1:]:80", failure::malformed_address},
      {"[::g]:80", failure::malformed_address},
      {"[fe80::1%]:80", failure::malformed_address},
      {"[1:2:3:4:5:6:7:1.2.3.4]:80", failure::malformed_address},
      {"unix:", failure::malformed_address},
      {"example.com:80", failure::malformed_address},
  };
  for (const auto& c : cases) {
    auto ep = Endpoint::parse(c.text);
    EXPECT_FALSE(ep) << '"' << c.text << "\" parsed as " << (ep ? ep->to_string() : "");
    if (!ep) {
      EXPECT_EQ(ep.error(), make_error_code(c.why))
          << '"' << c.text << "\": " << ep.error().message();
      EXPECT_TRUE(ep.error() == errc::invalid_argument);
    }
  }
}

TEST_F(EndpointTest, UnixPathsHaveALimit) {
  const std::string longest(Endpoint::kMaxUnixPath, 'p');
  EXPECT_OK(Endpoint::unix_path(longest));
  EXPECT_EQ(Endpoint::unix_path(longest + "p").error(), make_error_code(failure::path_too_long));
  EXPECT_EQ(Endpoint::parse("unix:/" + longest).error(), make_error_code(failure::path_too_long));
  EXPECT_EQ(Endpoint::unix_abstract(longest + "x").error(),
            make_error_code(failure::path_too_long));
  EXPECT_EQ(Endpoint::unix_path(std::string_view("a\0b", 3)).error(),
            make_error_code(failure::malformed_address));
}

TEST_F(EndpointTest, ResolveTakesTheNumericFastPath) {
  auto eps = resolve("10.1.2.3:9");
  ASSERT_OK(eps);
  ASSERT_EQ(eps->size(), 1u);
  EXPECT_EQ((*eps)[0].to_string(), "10.1.2.3:9");
  EXPECT_TRUE(resolve("10.1.2.3:9", {.family = Family::ipv6}).error() == errc::name_not_resolved);
  EXPECT_EQ(resolve("10.1.2.3:70000").error(), make_error_code(failure::port_out_of_range));
}

TEST_F(EndpointTest, ResolvesLocalhostThroughTheResolver) {
  if (!stack_supports(StackFeature::name_resolution)) {  // numeric only: a clear refusal
    EXPECT_EQ(resolve("localhost:8080").error(), make_error_code(failure::resolver_failure));
    return;
  }
  auto eps = resolve("localhost:8080");
  ASSERT_OK(eps);
  ASSERT_FALSE(eps->empty());
  for (const auto& ep : *eps) {
    EXPECT_TRUE(ep.is_loopback()) << ep.to_string();
    EXPECT_EQ(ep.port(), 8080);
  }
  auto v4 = resolve("localhost:1", {.family = Family::ipv4});
  ASSERT_OK(v4);
  for (const auto& ep : *v4)
    EXPECT_EQ(ep.family(), Family::ipv4);
}

TEST_F(EndpointTest, ResolveRejectsBadNamesWithoutAskingTheResolver) {
  EXPECT_EQ(resolve("bad host:80").error(), make_error_code(failure::malformed_address));
  EXPECT_EQ(resolve("300.1.1.1:80").error(), make_error_code(failure::malformed_address));
  auto shorthand = resolve("1.2.3:80");  // glibc's inet_aton reading: an address, not a name
  ASSERT_OK(shorthand);
  EXPECT_EQ((*shorthand)[0].to_string(), "1.2.0.3:80");
  EXPECT_EQ(resolve("localhost").error(), make_error_code(failure::missing_port));
  EXPECT_EQ(resolve("localhost:http").error(), make_error_code(failure::malformed_address));
  EXPECT_TRUE(resolve("no-such-host.invalid:80").error() == errc::name_not_resolved);
  auto passive = resolve(":8080", {.family = Family::ipv4, .passive = true});
  ASSERT_OK(passive);
  EXPECT_EQ((*passive)[0].to_string(), "0.0.0.0:8080");
}

}  // namespace
}  // namespace sockkit::test
