// SPDX-License-Identifier: MIT
// A DNS server for tests that runs on the test's own loop (UDP and TCP on one
// port), so the resolver suite is the same on every stack. It answers from a
// small record table and can be told to misbehave the ways real servers and
// attackers do.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {

struct DnsRecord {
  std::string name;
  std::uint16_t type;  // 1 A, 5 CNAME, 28 AAAA
  std::string data;    // an address, or the CNAME's target
  std::uint32_t ttl = 300;
};

enum class DnsBehaviour {
  answer,            ///< Answers from the table (NXDOMAIN / no data with an SOA otherwise).
  silent,            ///< Never answers.
  servfail,          ///< SERVFAIL to everything.
  refused,           ///< REFUSED to everything.
  truncate_udp,      ///< TC over UDP, the full answer over TCP.
  wrong_id,          ///< The right answer under another id.
  wrong_question,    ///< An answer to another name.
  from_other_port,   ///< The right answer, from another source port (a spoofer's).
  garbage,           ///< The right id followed by noise.
  compression_loop,  ///< An owner name whose compression pointer points at itself.
};

class FakeDns final : UdpHandler, ConnectionHandler {
 public:
  /// UDP and TCP on `ip`, at `port` (0: one free port). Null if it cannot bind.
  static std::unique_ptr<FakeDns> start(EventLoop& loop, const char* ip = "127.0.0.1",
                                        std::uint16_t port = 0);
  ~FakeDns();

  Endpoint endpoint() const { return endpoint_; }
  void add(DnsRecord record) { records_.push_back(std::move(record)); }

  DnsBehaviour behaviour = DnsBehaviour::answer;
  std::chrono::milliseconds delay{0};       ///< Wait this long before each answer.
  std::chrono::milliseconds aaaa_delay{0};  ///< And this much more before AAAA answers.
  std::uint32_t negative_ttl = 60;          ///< SOA minimum in negative answers.
  std::string soa_mailbox =
      "hostmaster.test";  ///< The SOA RNAME; a backslash-escaped dot is a dot inside a label.
  unsigned udp_queries = 0;
  unsigned tcp_queries = 0;
  std::vector<std::string> names_asked;
  std::set<std::uint16_t> source_ports;  ///< Ports the queries came from.
  std::set<std::uint16_t> ids;           ///< Query ids seen.

 private:
  explicit FakeDns(EventLoop& loop) : loop_(loop) {}
  void on_datagram(UdpChannel& ch, std::span<const std::byte> data, const Datagram& info) override;
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override;
  std::vector<std::byte> respond(std::span<const std::byte> query, bool over_tcp);

  EventLoop& loop_;
  Endpoint endpoint_;
  std::optional<UdpChannel> udp_;
  std::optional<UdpChannel> spoofer_;
  std::optional<Server> tcp_;
  std::vector<DnsRecord> records_;
  std::vector<TimerId> timers_;
  std::uint16_t last_qtype_ = 0;
};

}  // namespace sockkit::test
