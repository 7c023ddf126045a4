// SPDX-License-Identifier: MIT
#include "support/fake_dns.hpp"

#include <algorithm>

namespace sockkit::test {
namespace {

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void put16(std::vector<std::byte>& m, std::uint16_t v) {
  m.push_back(std::byte(v >> 8));
  m.push_back(std::byte(v & 0xff));
}
void put32(std::vector<std::byte>& m, std::uint32_t v) {
  put16(m, static_cast<std::uint16_t>(v >> 16));
  put16(m, static_cast<std::uint16_t>(v));
}
/// Writes a name; a backslash-escaped dot is a dot inside a label ("host\\.master.test").
void put_name(std::vector<std::byte>& m, std::string_view name) {
  std::string label;
  auto end_label = [&] {
    m.push_back(std::byte(label.size()));
    for (char c : label)
      m.push_back(std::byte(c));
    label.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 1 < name.size()) {
      label += name[++i];
    } else if (name[i] == '.') {
      end_label();
    } else {
      label += name[i];
    }
  }
  if (!label.empty()) end_label();
  m.push_back(std::byte{0});
}

std::vector<std::uint8_t> address_bytes(const std::string& text) {
  auto ep = Endpoint::parse(text.find(':') != std::string::npos ? "[" + text + "]:0" : text + ":0");
  if (!ep) return {};
  auto b = ep->address_bytes();
  return {b.begin(), b.end()};
}

}  // namespace

std::unique_ptr<FakeDns> FakeDns::start(EventLoop& loop, const char* ip, std::uint16_t port) {
  // UDP picks the port; TCP may find it taken by another test: try again.
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::unique_ptr<FakeDns> dns(new FakeDns(loop));
    auto udp = UdpSocket::bind(*Endpoint::parse(std::string(ip) + ":" + std::to_string(port)));
    auto spoof = UdpSocket::bind(*Endpoint::parse(std::string(ip) + ":0"));
    if (!udp || !spoof) return nullptr;
    auto at = udp->local_endpoint();
    if (!at) return nullptr;
    dns->endpoint_ = *at;
    auto server = Server::start(loop, dns->endpoint_, *dns);
    if (!server) continue;
    dns->tcp_ = std::move(*server);
    auto ch = UdpChannel::create(loop, std::move(*udp), *dns);
    auto sch = UdpChannel::create(loop, std::move(*spoof), *dns);
    if (!ch || !sch) return nullptr;
    dns->udp_ = std::move(*ch);
    dns->spoofer_ = std::move(*sch);
    return dns;
  }
  return nullptr;
}

FakeDns::~FakeDns() {
  for (TimerId t : timers_)
    loop_.cancel_timer(t);
}

void FakeDns::on_datagram(UdpChannel& ch, std::span<const std::byte> data, const Datagram& info) {
  if (!udp_ || &ch != &*udp_) return;  // the spoofer's socket only sends
  ++udp_queries;
  source_ports.insert(info.from.port());
  auto reply = respond(data, false);
  if (reply.empty()) return;
  UdpChannel* from = behaviour == DnsBehaviour::from_other_port ? &*spoofer_ : &*udp_;
  const Endpoint to = info.from;
  const auto wait = delay + (last_qtype_ == 28 ? aaaa_delay : std::chrono::milliseconds(0));
  if (wait.count() == 0) {
    (void)from->send_to(std::span<const std::byte>(reply), to);
    return;
  }
  timers_.push_back(loop_.add_timer(
      wait, [from, to, reply] { (void)from->send_to(std::span<const std::byte>(reply), to); }));
}

Result<std::size_t> FakeDns::on_data(Connection& c, std::span<const std::byte> data) {
  if (data.size() < 2) return 0;
  const std::size_t length =
      std::to_integer<std::size_t>(data[0]) << 8 | std::to_integer<std::size_t>(data[1]);
  if (data.size() < 2 + length) return 0;
  ++tcp_queries;
  auto reply = respond(data.subspan(2, length), true);
  if (!reply.empty()) {
    std::vector<std::byte> framed;
    put16(framed, static_cast<std::uint16_t>(reply.size()));
    framed.insert(framed.end(), reply.begin(), reply.end());
    (void)c.send(std::span<const std::byte>(framed));
  }
  return 2 + length;
}

std::vector<std::byte> FakeDns::respond(std::span<const std::byte> query, bool over_tcp) {
  if (query.size() < 17 || behaviour == DnsBehaviour::silent) return {};
  const auto id = static_cast<std::uint16_t>(std::to_integer<unsigned>(query[0]) << 8 |
                                             std::to_integer<unsigned>(query[1]));
  ids.insert(id);
  std::string qname;
  std::size_t pos = 12;
  while (pos < query.size() && query[pos] != std::byte{0}) {
    const auto len = std::to_integer<std::size_t>(query[pos]);
    if (!qname.empty()) qname += '.';
    for (std::size_t i = 1; i <= len && pos + i < query.size(); ++i)
      qname += static_cast<char>(query[pos + i]);
    pos += len + 1;
  }
  const std::size_t question_end = pos + 5;
  if (question_end > query.size()) return {};
  const auto qtype = static_cast<std::uint16_t>(std::to_integer<unsigned>(query[pos + 1]) << 8 |
                                                std::to_integer<unsigned>(query[pos + 2]));
  names_asked.push_back(qname);
  last_qtype_ = qtype;

  std::uint16_t rcode = 0;
  if (behaviour == DnsBehaviour::servfail) rcode = 2;
  if (behaviour == DnsBehaviour::refused) rcode = 5;
  // The answer: the CNAME chain from the name asked, then its addresses.
  std::vector<const DnsRecord*> answers;
  std::string at = qname;
  bool known = false;
  for (int hop = 0; hop < 40 && rcode == 0; ++hop) {
    const DnsRecord* cname = nullptr;
    for (const auto& r : records_) {
      if (!same(r.name, at)) continue;
      known = true;
      if (r.type == 5) cname = &r;
    }
    if (cname == nullptr) break;
    answers.push_back(cname);
    at = cname->data;
  }
  for (const auto& r : records_)
    if (rcode == 0 && same(r.name, at) && r.type == qtype) answers.push_back(&r);
  if (rcode == 0 && !known) rcode = 3;  // NXDOMAIN

  const bool truncate = behaviour == DnsBehaviour::truncate_udp && !over_tcp;
  std::vector<std::byte> m;
  put16(m, behaviour == DnsBehaviour::wrong_id ? static_cast<std::uint16_t>(id + 1) : id);
  put16(m, static_cast<std::uint16_t>(0x8180 | (truncate ? 0x0200 : 0) | rcode));
  put16(m, 1);
  if (behaviour == DnsBehaviour::garbage) {
    for (int i = 0; i < 40; ++i)
      m.push_back(std::byte(0x5a ^ i));
    return m;
  }
  if (behaviour == DnsBehaviour::compression_loop) {
    put16(m, 1);
    put16(m, 0);
    put16(m, 0);
    m.insert(m.end(), query.begin() + 12,
             query.begin() + static_cast<std::ptrdiff_t>(question_end));
    const auto self = static_cast<std::uint16_t>(m.size());
    put16(m, static_cast<std::uint16_t>(0xc000 | self));
    put16(m, qtype);
    put16(m, 1);
    put32(m, 60);
    put16(m, 4);
    put32(m, 0x7f000001);
    return m;
  }
  const bool negative = answers.empty() || truncate;
  put16(m, truncate ? 0 : static_cast<std::uint16_t>(answers.size()));
  put16(m, negative && !truncate && rcode != 2 && rcode != 5 ? 1 : 0);
  put16(m, 0);
  if (behaviour == DnsBehaviour::wrong_question) {
    put_name(m, "other." + qname);
    put16(m, qtype);
    put16(m, 1);
  } else {
    m.insert(m.end(), query.begin() + 12,
             query.begin() + static_cast<std::ptrdiff_t>(question_end));
  }
  if (truncate) return m;
  for (const DnsRecord* r : answers) {
    put_name(m, r == answers.front() ? qname : r->name);
    put16(m, r->type);
    put16(m, 1);
    put32(m, r->ttl);
    std::vector<std::byte> rdata;
    if (r->type == 5) {
      put_name(rdata, r->data);
    } else {
      for (auto b : address_bytes(r->data))
        rdata.push_back(std::byte(b));
    }
    put16(m, static_cast<std::uint16_t>(rdata.size()));
    m.insert(m.end(), rdata.begin(), rdata.end());
  }
  if (negative && rcode != 2 && rcode != 5) {  // RFC 2308: the SOA says how long "no" lasts
    put_name(m, "test");
    put16(m, 6);
    put16(m, 1);
    put32(m, negative_ttl);
    std::vector<std::byte> rdata;
    put_name(rdata, "ns.test");
    put_name(rdata, soa_mailbox);
    for (std::uint32_t v : {1u, 3600u, 600u, 86400u, negative_ttl})
      put32(rdata, v);
    put16(m, static_cast<std::uint16_t>(rdata.size()));
    m.insert(m.end(), rdata.begin(), rdata.end());
  }
  return m;
}

}  // namespace sockkit::test
