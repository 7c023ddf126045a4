// SPDX-License-Identifier: MIT
// The DNS codec and the resolver's configuration parsers, byte by byte.
#include <array>
#include <vector>

#include "resolve/config.hpp"
#include "resolve/dns_message.hpp"
#include "resolve/target.hpp"
#include "socket/ip_text.hpp"
#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using dns::RecordType;

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values)
    out.push_back(std::byte(v));
  return out;
}

/// A response to (id 0x1234, "a.test", A): header, question, then `rest`.
std::vector<std::byte> response(int ancount, int nscount, std::initializer_list<int> rest,
                                int flags_low = 0x80) {
  auto m = bytes({0x12, 0x34, 0x81, flags_low, 0,   1,   0,   ancount, 0, nscount, 0, 0,
                  1,    'a',  4,    't',       'e', 's', 't', 0,       0, 1,       0, 1});
  for (int v : rest)
    m.push_back(std::byte(v));
  return m;
}

std::vector<dns::AddressRecord> addresses_of(std::span<const std::byte> m, const dns::Answer& a) {
  std::vector<dns::AddressRecord> out;
  dns::AddressWalk walk(m, a);
  for (dns::AddressRecord r; walk.next(r);)
    out.push_back(r);
  return out;
}

TEST(DnsMessage, QueryIsWrittenAsTheWireFormatSays) {
  std::array<std::byte, dns::kMaxQuery> out{};
  auto n = dns::write_query(out, 0xbeef, "Mail.Example.", RecordType::aaaa);
  ASSERT_OK(n);
  const auto expect =
      bytes({0xbe, 0xef, 0x01, 0,   0,   1,   0,   0,   0,   0,   0, 0, 4,  'M', 'a',
             'i',  'l',  7,    'E', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 28, 0,   1});
  ASSERT_EQ(*n, expect.size());
  EXPECT_TRUE(std::equal(expect.begin(), expect.end(), out.begin()));
  EXPECT_EQ(dns::message_id(std::span(out.data(), *n)), 0xbeef);
}

TEST(DnsMessage, BadNamesAreNeverAsked) {
  std::array<std::byte, dns::kMaxQuery> out{};
  for (std::string_view bad : {std::string_view(""), std::string_view("."),
                               std::string_view("a..b"), std::string_view("has space.test"),
                               std::string_view("semi;colon"), std::string_view("a\0b", 3)}) {
    SCOPED_TRACE(bad);
    EXPECT_ERRC(dns::write_query(out, 1, bad, RecordType::a), errc::invalid_argument);
  }
  EXPECT_ERRC(dns::write_query(out, 1, std::string(64, 'x') + ".test", RecordType::a),
              errc::invalid_argument);
  std::string long_name;
  while (long_name.size() < 260)
    long_name += "abcdefgh.";
  EXPECT_ERRC(dns::write_query(out, 1, long_name, RecordType::a), errc::invalid_argument);
  EXPECT_OK(dns::write_query(out, 1, std::string(63, 'x') + ".test", RecordType::a));
}

TEST(DnsMessage, AddressesOfTheQuestionAreRead) {
  // a.test A 10.0.0.1 ttl 300 (owner compressed to the question), and A 10.0.0.2.
  auto m = response(2, 0, {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1,
                           0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 2});
  auto a = dns::parse_response(m, 0x1234, "A.TEST", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->rcode, dns::Rcode::no_error);
  ASSERT_EQ(a->address_count, 2u);
  const auto addresses = addresses_of(m, *a);
  ASSERT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses[0].bytes[3], 1);
  EXPECT_EQ(addresses[0].ttl, 300u);
  EXPECT_EQ(addresses[1].ttl, 60u);
  EXPECT_EQ(a->canonical_name.view(), "a.test");
}

TEST(DnsMessage, ARecordWhoseOwnerIsNoHostNameLeavesTheNextOnesAlone) {
  // First a TXT record owned by "a b.test" (a space: no host name), then the
  // A record of the question: read after the odd name, it is still ours.
  auto m =
      response(2, 0, {3, 'a', ' ', 'b',  4,  't', 'e', 's', 't', 0, 0, 16, 0,  1, 0, 0,  0, 60, 0,
                      2, 1,   'x', 0xc0, 12, 0,   1,   0,   1,   0, 0, 1,  44, 0, 4, 10, 0, 0,  7});
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  ASSERT_EQ(a->address_count, 1u);
  const auto addresses = addresses_of(m, *a);
  ASSERT_EQ(addresses.size(), 1u);
  EXPECT_EQ(addresses[0].bytes[3], 7);
}

TEST(DnsMessage, EveryAddressRecordIsRead) {
  // 30 A records fill a 512-byte message; none may be dropped.
  auto m = response(30, 0, {});
  for (int i = 0; i < 30; ++i)
    for (int v : {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, i + 1})
      m.push_back(std::byte(v));
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->address_count, 30u);
  const auto addresses = addresses_of(m, *a);
  ASSERT_EQ(addresses.size(), 30u);
  for (int i = 0; i < 30; ++i)
    EXPECT_EQ(addresses[static_cast<std::size_t>(i)].bytes[3], i + 1);
}

TEST(DnsMessage, AnswersToAnotherQuestionOrIdAreRejected) {
  auto m = response(1, 0, {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1});
  EXPECT_ERRC(dns::parse_response(m, 0x1235, "a.test", RecordType::a), errc::name_not_resolved);
  EXPECT_ERRC(dns::parse_response(m, 0x1234, "b.test", RecordType::a), errc::name_not_resolved);
  EXPECT_ERRC(dns::parse_response(m, 0x1234, "a.test", RecordType::aaaa), errc::name_not_resolved);
  auto query_not_response = m;
  query_not_response[2] = std::byte{0x01};
  EXPECT_ERRC(dns::parse_response(query_not_response, 0x1234, "a.test", RecordType::a),
              errc::name_not_resolved);
}

TEST(DnsMessage, EveryTruncationOfAnAnswerIsRejected) {
  auto m = response(1, 0, {0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1});
  ASSERT_OK(dns::parse_response(m, 0x1234, "a.test", RecordType::a));
  for (std::size_t n = 0; n < m.size(); ++n)
    EXPECT_FALSE(dns::parse_response(std::span(m.data(), n), 0x1234, "a.test", RecordType::a)) << n;
}

TEST(DnsMessage, CompressionLoopsAndForwardPointersAreRejected) {
  // The owner is a pointer to itself (offset 24), then one pointing forward.
  auto self = response(1, 0, {0xc0, 24, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1});
  EXPECT_ERRC(dns::parse_response(self, 0x1234, "a.test", RecordType::a), errc::name_not_resolved);
  auto forward = response(1, 0, {0xc0, 26, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1});
  EXPECT_ERRC(dns::parse_response(forward, 0x1234, "a.test", RecordType::a),
              errc::name_not_resolved);
  // Two labels pointing at each other: 1 'x' ptr->24 at 24, and ptr->24 at 27.
  auto pair = response(1, 0, {1, 'x', 0xc0, 24, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 10, 0, 0, 1});
  EXPECT_FALSE(dns::parse_response(pair, 0x1234, "a.test", RecordType::a));
}

TEST(DnsMessage, CnameChainsAreFollowedAndBounded) {
  // a.test CNAME b.test; b.test A 10.0.0.9
  auto m = response(2, 0, {0xc0, 12,  0,   5,   0,   1, 0, 0,   0, 30,  0,   8,   1,   'b',
                           4,    't', 'e', 's', 't', 0, 1, 'b', 4, 't', 'e', 's', 't', 0,
                           0,    1,   0,   1,   0,   0, 1, 44,  0, 4,   10,  0,   0,   9});
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->canonical_name.view(), "b.test");
  EXPECT_EQ(a->cname_hops, 1u);
  EXPECT_EQ(a->cname_ttl, 30u);
  ASSERT_EQ(a->address_count, 1u);
  EXPECT_EQ(addresses_of(m, *a)[0].bytes[3], 9);

  // a.test CNAME b.test, b.test CNAME a.test: a loop.
  auto loop = response(2, 0, {0xc0, 12,  0, 5,    0,  1, 0, 0, 0, 30, 0, 8, 1,  'b', 4, 't',  'e',
                              's',  't', 0, 0xc0, 36, 0, 5, 0, 1, 0,  0, 0, 30, 0,   2, 0xc0, 12});
  EXPECT_ERRC(dns::parse_response(loop, 0x1234, "a.test", RecordType::a), errc::name_not_resolved);

  // Only the CNAME, no address: the chain continues with another question.
  auto open =
      response(1, 0, {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 8, 1, 'b', 4, 't', 'e', 's', 't', 0});
  auto o = dns::parse_response(open, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(o);
  EXPECT_TRUE(o->chain_continues());

  // A CNAME to the root, or to a name that could never be asked: malformed, not followed.
  auto to_root = response(1, 0, {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 1, 0});
  EXPECT_ERRC(dns::parse_response(to_root, 0x1234, "a.test", RecordType::a),
              errc::name_not_resolved);
  auto to_bad = response(1, 0, {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 5, 3, 'a', ';', 'b', 0});
  EXPECT_ERRC(dns::parse_response(to_bad, 0x1234, "a.test", RecordType::a),
              errc::name_not_resolved);
}

/// A name in the wire format, uncompressed.
void put_name(std::vector<std::byte>& m, std::string_view name) {
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    m.push_back(std::byte(dot - start));
    for (std::size_t i = start; i < dot; ++i)
      m.push_back(std::byte(name[i]));
    start = dot + 1;
  }
  m.push_back(std::byte{0});
}

void put_record_head(std::vector<std::byte>& m, std::string_view owner, int type, int rdlength) {
  put_name(m, owner);
  for (int v : {0, type, 0, 1, 0, 0, 0, 30, rdlength >> 8, rdlength & 0xff})
    m.push_back(std::byte(v));
}

// glibc follows CNAME chains of 20 in one answer (RFC 1034 3.6.2): so does sockkit.
TEST(DnsMessage, LongCnameChainsInOneAnswerAreFollowed) {
  constexpr int kChain = 20;
  auto m = response(kChain + 1, 0, {});
  std::string owner = "a.test";
  for (int i = 1; i <= kChain; ++i) {
    std::string target = "n";  // built in steps: GCC 12 warns wrongly about "n" + to_string(i)
    target += std::to_string(i);
    target += ".test";
    put_record_head(m, owner, 5, static_cast<int>(target.size()) + 2);
    put_name(m, target);
    owner = target;
  }
  put_record_head(m, owner, 1, 4);
  for (int v : {10, 0, 0, 20})
    m.push_back(std::byte(v));
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->cname_hops, static_cast<std::size_t>(kChain));
  EXPECT_EQ(a->canonical_name.view(), "n20.test");
  ASSERT_EQ(a->address_count, 1u);
  EXPECT_EQ(addresses_of(m, *a)[0].bytes[3], 20);
}

// RFC 2181 11: a label may hold any octet. Names never asked for (an SOA's
// mailbox with an escaped dot, another owner's odd name) do not make a valid
// answer malformed.
TEST(DnsMessage, NamesThatAreNeverAskedMayHoldAnyOctet) {
  // NXDOMAIN with SOA: mname ns.test, rname "host\.master.test".
  auto m = response(0, 1, {}, 0x83);
  std::vector<std::byte> rdata;
  put_name(rdata, "ns.test");
  rdata.push_back(std::byte{11});
  for (char c : std::string_view("host.master"))
    rdata.push_back(std::byte(c));
  put_name(rdata, "test");
  for (int v : {0, 0, 0, 1, 0, 0, 14, 16, 0, 0, 2, 88, 0, 1, 81, 128, 0, 0, 0, 120})
    rdata.push_back(std::byte(v));
  put_record_head(m, "test", 6, static_cast<int>(rdata.size()));
  m.insert(m.end(), rdata.begin(), rdata.end());
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->rcode, dns::Rcode::name_error);
  EXPECT_EQ(a->negative_ttl, 30u);

  // An A record of an owner with a space and a star in its name: not ours, ignored.
  auto odd = response(1, 0, {});
  put_record_head(odd, "* odd.test", 1, 4);
  for (int v : {6, 6, 6, 6})
    odd.push_back(std::byte(v));
  auto o = dns::parse_response(odd, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(o);
  EXPECT_EQ(o->address_count, 0u);
}

// Whether a reply is about the question asked is told apart from whether it
// can be used: the resolver ignores the first kind and ends its try on the second.
TEST(DnsMessage, AReplyToTheQuestionIsToldApartFromAUsableOne) {
  auto good = response(0, 0, {}, 0x83);
  EXPECT_TRUE(dns::answers_question(good, 0x1234, "a.test", RecordType::a));
  EXPECT_FALSE(dns::answers_question(good, 0x1235, "a.test", RecordType::a));
  EXPECT_FALSE(dns::answers_question(good, 0x1234, "b.test", RecordType::a));
  EXPECT_FALSE(dns::answers_question(good, 0x1234, "a.test", RecordType::aaaa));
  auto loop = response(2, 0, {0xc0, 12,  0, 5,    0,  1, 0, 0, 0, 30, 0, 8, 1,  'b', 4, 't',  'e',
                              's',  't', 0, 0xc0, 36, 0, 5, 0, 1, 0,  0, 0, 30, 0,   2, 0xc0, 12});
  EXPECT_TRUE(dns::answers_question(loop, 0x1234, "a.test", RecordType::a));
  EXPECT_FALSE(dns::parse_response(loop, 0x1234, "a.test", RecordType::a));
}

TEST(DnsMessage, AddressesOfOtherOwnersAreIgnored) {
  // An A record for evil.test in an answer about a.test (cache poisoning try).
  auto m =
      response(1, 0, {4, 'e', 'v', 'i', 'l', 0xc0, 14, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 6, 6, 6, 6});
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->address_count, 0u);
}

TEST(DnsMessage, NegativeAnswersCarryTheSoaMinimum) {
  // NXDOMAIN with SOA test. ttl 600, minimum 120 -> 120.
  auto m = response(
      0, 1, {0xc0, 14, 0, 6, 0, 1, 0,  0,  2, 88, 0, 29, 2, 'n', 's', 0xc0, 14, 1, 'h', 0xc0, 14,
             0,    0,  0, 1, 0, 0, 14, 16, 0, 0,  2, 88, 0, 1,   81,  128,  0,  0, 0,   120},
      0x83);
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_EQ(a->rcode, dns::Rcode::name_error);
  EXPECT_EQ(a->negative_ttl, 120u);
}

TEST(DnsMessage, TruncatedFlagIsReported) {
  auto m = response(0, 0, {}, 0x80);
  m[2] = std::byte{0x83};  // QR RD TC
  auto a = dns::parse_response(m, 0x1234, "a.test", RecordType::a);
  ASSERT_OK(a);
  EXPECT_TRUE(a->truncated);
}

TEST(ResolvConf, ReadAsGlibcReadsIt) {
  const auto c = ResolverConfig::parse_resolv_conf(
      "# comment\n"
      "nameserver 10.0.0.1\n"
      "nameserver fd00::53\n"
      "nameserver bogus\n"
      "nameserver 10.0.0.2\n"
      "nameserver 10.0.0.3 ; fourth: ignored, glibc keeps three\n"
      "domain old.example\n"
      "search corp.example. lab.example\n"
      "options ndots:2 timeout:3 attempts:4 rotate edns0\n");
  ASSERT_EQ(c.servers.size(), 3u);
  EXPECT_EQ(c.servers[0].to_string(), "10.0.0.1:53");
  EXPECT_EQ(c.servers[1].to_string(), "[fd00::53]:53");
  EXPECT_EQ(c.servers[2].to_string(), "10.0.0.2:53");
  EXPECT_EQ(c.search, (std::vector<std::string>{"corp.example", "lab.example"}));
  EXPECT_EQ(c.ndots, 2u);
  EXPECT_EQ(c.timeout, std::chrono::seconds(3));
  EXPECT_EQ(c.attempts, 4u);
  EXPECT_TRUE(c.rotate);
  const auto d = ResolverConfig::parse_resolv_conf("options timeout:0 attempts:99 ndots:x\n");
  EXPECT_EQ(d.timeout, std::chrono::seconds(1));
  EXPECT_EQ(d.attempts, 5u);
  EXPECT_EQ(d.ndots, 1u);
}

// glibc 2.26 and later keep every search domain; LOCALDOMAIN replaces the
// list, RES_OPTIONS adds options, and with no search line the host name's
// domain is the list.
// Host text that glibc reads as an IPv4 address (inet_aton) is one for
// connect and resolve alike; Endpoint::parse stays strict.
TEST(NumericHost, ShorthandIsReadAsGlibcReadsIt) {
  struct Case {
    const char* text;
    const char* address;  // null: not an address
  };
  const Case cases[] = {
      {"127.1", "127.0.0.1"},
      {"0x7f.1", "127.0.0.1"},
      {"010.0.0.1", "8.0.0.1"},
      {"10.1.2", "10.1.0.2"},
      {"2130706433", "127.0.0.1"},
      {"0x7F000001", "127.0.0.1"},
      {"1.2.3.4", "1.2.3.4"},
      {"0", "0.0.0.0"},
      {"00.0.0.00", "0.0.0.0"},
      {"300.1.1.1", nullptr},
      {"1.2.3.4.5", nullptr},
      {"08.1.1.1", nullptr},
      {"0x", nullptr},
      {"1..2", nullptr},
      {"127.1.", nullptr},
      {"1.2.65536", nullptr},
      {"4294967296", nullptr},
      {"example", nullptr},
      {"1.256.1", nullptr},
      {"", nullptr},
  };
  for (const auto& c : cases) {
    auto v4 = ip_text::parse_ipv4_shorthand(c.text);
    if (c.address == nullptr) {
      EXPECT_FALSE(v4) << c.text;
      continue;
    }
    ASSERT_TRUE(v4) << c.text;
    EXPECT_EQ(Endpoint::ipv4(*v4, 0).to_string(), std::string(c.address) + ":0") << c.text;
  }
  auto target = resolve_detail::parse_target("127.1:8080");
  ASSERT_OK(target);
  ASSERT_TRUE(target->numeric) << "a connect to 127.1:8080 needs no lookup";
  EXPECT_EQ(target->numeric->to_string(), "127.0.0.1:8080");
  EXPECT_FALSE(Endpoint::parse("127.1:8080")) << "Endpoint::parse stays strict";
  EXPECT_FALSE(resolve_detail::parse_target("300.1.1.1:80")) << "still a bad address, not a name";
}

TEST(ResolvConf, EverySearchDomainAndWhatTheEnvironmentSays) {
  auto c = ResolverConfig::parse_resolv_conf(
      "nameserver 10.0.0.1\nsearch d1.test d2.test d3.test d4.test d5.test d6.test d7.test "
      "d8.test\noptions ndots:2\n");
  ASSERT_EQ(c.search.size(), 8u);
  EXPECT_EQ(c.search[6], "d7.test");

  auto local = c;
  resolve_detail::apply_environment(local, "gw.site.test", "corp.test lab.test.", "ndots:4 rotate");
  EXPECT_EQ(local.search, (std::vector<std::string>{"corp.test", "lab.test"}));
  EXPECT_EQ(local.ndots, 4u);
  EXPECT_TRUE(local.rotate);

  auto plain = ResolverConfig::parse_resolv_conf("nameserver 10.0.0.1\n");
  resolve_detail::apply_environment(plain, "gw.site.test", nullptr, nullptr);
  EXPECT_EQ(plain.search, std::vector<std::string>{"site.test"}) << "the host name's domain";
  EXPECT_EQ(plain.ndots, 1u);
  auto kept = c;
  resolve_detail::apply_environment(kept, "gw.site.test", nullptr, nullptr);
  EXPECT_EQ(kept.search.size(), 8u) << "a search line wins over the host name";
  auto bare = ResolverConfig::parse_resolv_conf("");
  resolve_detail::apply_environment(bare, "gateway", nullptr, nullptr);
  EXPECT_TRUE(bare.search.empty()) << "a host name without a domain gives none";
}

TEST(ResolvConf, SearchCandidatesFollowNdots) {
  ResolverConfig c;
  c.search = {"corp.example", "lab.example"};
  c.ndots = 1;
  using V = std::vector<std::string>;
  EXPECT_EQ(resolve_detail::search_candidates("printer", c),
            (V{"printer.corp.example", "printer.lab.example", "printer"}));
  EXPECT_EQ(resolve_detail::search_candidates("a.b", c),
            (V{"a.b", "a.b.corp.example", "a.b.lab.example"}));
  EXPECT_EQ(resolve_detail::search_candidates("abs.", c), (V{"abs"}));
  c.ndots = 3;
  EXPECT_EQ(resolve_detail::search_candidates("a.b", c).front(), "a.b.corp.example");
}

TEST(HostsFile, NamesAndAliasesMapToTheirAddresses) {
  resolve_detail::HostsTable t;
  t.parse(
      "127.0.0.1 localhost\n"
      "::1 localhost ip6-localhost\n"
      "# 10.9.9.9 commented\n"
      "10.0.0.5  Gateway.Lan gw   # trailing comment\n"
      "10.0.0.6 gw\n"
      "not-an-address name\n");
  std::vector<Endpoint> v4, v6;
  EXPECT_TRUE(t.find("gateway.lan", Family::ipv4, v4));
  EXPECT_TRUE(t.find("GW", Family::ipv4, v4));
  ASSERT_EQ(v4.size(), 2u);
  EXPECT_EQ(v4[0].address_string(), "10.0.0.5");
  EXPECT_EQ(v4[1].address_string(), "10.0.0.6");
  EXPECT_TRUE(t.find("gw", Family::ipv6, v6));  // known name, no IPv6 address
  EXPECT_TRUE(v6.empty());
  EXPECT_TRUE(t.find("ip6-localhost", Family::ipv6, v6));
  EXPECT_FALSE(t.find("name", Family::ipv4, v4));
  EXPECT_FALSE(t.find("10.9.9.9", Family::ipv4, v4));
  // An alias answers with its line's first name, as glibc's files backend does.
  std::string canonical;
  std::vector<Endpoint> any;
  EXPECT_TRUE(t.find("GW", Family::ipv4, any, &canonical));
  EXPECT_EQ(canonical, "Gateway.Lan");
  EXPECT_TRUE(t.find("ip6-localhost", Family::ipv6, any, &canonical));
  EXPECT_EQ(canonical, "localhost");
}

}  // namespace
}  // namespace sockkit::test
