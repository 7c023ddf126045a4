// SPDX-License-Identifier: MIT
// The rule every TLS backend applies to a certificate's DNS names, case by
// case; the same cases on real certificates, beside `openssl verify`, are in
// tls_verify_test.cpp.
#include <gtest/gtest.h>

#include "transport/tls/host_name.hpp"

namespace sockkit::transport::tls {
namespace {

struct Case {
  const char* pattern;
  const char* host;
  bool matches;
};

TEST(HostName, DnsNamesMatchAsRfc9525Says) {
  const Case cases[] = {
      {"example.com", "example.com", true},
      {"Example.COM", "example.com", true},
      {"example.com", "www.example.com", false},
      {"www.example.com", "example.com", false},
      {"*.example.com", "www.example.com", true},
      {"*.example.com", "WWW.Example.Com", true},
      {"*.example.com", "example.com", false},       // one label, not none
      {"*.example.com", "a.b.example.com", false},   // one label, not two
      {"*.example.com", ".example.com", false},      // not an empty label
      {"*.test", "victim.test", false},              // never a whole top-level domain
      {"*.test", "*.test", true},                    // then it is just text
      {"*.co.uk", "bank.co.uk", true},               // two labels: no list of suffixes
      {"f*.example.com", "foo.example.com", false},  // no partial wildcards
      {"*oo.example.com", "foo.example.com", false},
      {"www.*.example.com", "www.a.example.com", false},
      {"*.*.example.com", "a.b.example.com", false},
      {"*.example-.com", "a.example-.com", false},  // not a host name after the star
      {"*.exa_mple.com", "a.exa_mple.com", false},
      {"*.example.com.", "www.example.com", false},
      {"*.example.com", "w_w.example.com", false},  // the label it covers is a host label
      {"xn--bcher-kva.example", "xn--bcher-kva.example", true},
      {"*.xn--bcher-kva.example", "a.xn--bcher-kva.example", true},
      {"", "example.com", false},
      {"example.com", "", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(dns_name_matches(c.pattern, c.host), c.matches) << c.pattern << " for " << c.host;
}

TEST(HostName, APatternWithAnEmbeddedNulNamesNothing) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(dns_name_matches("example.com\0.evil.test"sv, "example.com"));
  EXPECT_FALSE(dns_name_matches("example.com\0.evil.test"sv, "example.com\0.evil.test"sv));
}

TEST(HostName, OneFinalDotIsDropped) {
  EXPECT_EQ(without_final_dot("localhost."), "localhost");
  EXPECT_EQ(without_final_dot("localhost"), "localhost");
  EXPECT_EQ(without_final_dot("."), "");
  EXPECT_EQ(without_final_dot(""), "");
}

}  // namespace
}  // namespace sockkit::transport::tls
