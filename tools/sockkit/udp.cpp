// SPDX-License-Identifier: MIT
// `sockkit udp-send` and `sockkit udp-recv`.
#include <cctype>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "common.hpp"

namespace sockkit::cli {
namespace {

struct SendOptions {
  std::string address;
  std::string message;
  int count = 1;
  double interval = 0;
  bool broadcast = false;
  int ttl = -1;
};

int send(const SendOptions& opt) {
  auto to = first_endpoint(opt.address, false);
  if (!to) return fail("address '" + opt.address + "'", to.error());
  auto socket = UdpSocket::open(to->family());
  if (!socket) return fail("udp socket", socket.error());
  if (opt.broadcast)
    if (auto st = socket->set_broadcast(true); !st) return fail("broadcast", st.error());
  if (opt.ttl >= 0)
    if (auto st = socket->set_multicast_ttl(opt.ttl); !st) return fail("ttl", st.error());
  for (int i = 0; i < opt.count; ++i) {
    if (i > 0 && opt.interval > 0) std::this_thread::sleep_for(to_millis(opt.interval));
    auto n = socket->send_to(opt.message, *to);
    if (!n) return fail("send to " + to->to_string(), n.error());
  }
  return 0;
}

struct ReceiveOptions {
  std::string listen = "0.0.0.0:5000";
  int count = 0;
  double timeout = 0;
  std::string join;
  std::string interface;
  std::size_t buffer = 2048;
};

// Datagrams may hold anything: print text as is, other bytes escaped.
std::string printable(std::span<const std::byte> data) {
  std::string out;
  for (std::byte b : data) {
    const auto c = static_cast<unsigned char>(b);
    if (std::isprint(c) || c == ' ') {
      out += static_cast<char>(c);
    } else {
      char esc[5];
      std::snprintf(esc, sizeof(esc), "\\x%02x", c);
      out += esc;
    }
  }
  return out;
}

int receive(const ReceiveOptions& opt) {
  auto at = first_endpoint(opt.listen, true);
  if (!at) return fail("listen address '" + opt.listen + "'", at.error());
  auto socket = UdpSocket::bind(*at, {.reuse_address = !opt.join.empty()});
  if (!socket) return fail("bind " + at->to_string(), socket.error());
  if (!opt.join.empty()) {
    // A group is an address without a port: "239.1.2.3" or "ff02::1".
    const bool v6 = opt.join.find(':') != std::string::npos;
    auto group = Endpoint::parse(v6 ? "[" + opt.join + "]:0" : opt.join + ":0");
    if (!group) return fail("multicast group '" + opt.join + "'", group.error());
    std::uint32_t index = 0;
    if (!opt.interface.empty()) {
      auto i = interface_index(opt.interface);
      if (!i) return fail("interface '" + opt.interface + "'", i.error());
      index = *i;
    }
    if (auto st = socket->join_multicast(*group, index); !st)
      return fail("join " + opt.join, st.error());
  }
  if (opt.timeout > 0) (void)socket->set_receive_timeout(to_millis(opt.timeout));
  std::printf("listening on %s\n", socket->local_endpoint()->to_string().c_str());
  std::fflush(stdout);
  std::vector<std::byte> buf(opt.buffer);
  for (int got = 0; opt.count == 0 || got < opt.count; ++got) {
    auto d = socket->receive_from(buf);
    if (!d) return fail("receive", d.error());
    std::printf("%s %zu%s %s\n", d->from.to_string().c_str(), d->full_size,
                d->truncated ? " truncated" : "",
                printable(std::span(buf.data(), d->size)).c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

void add_udp(CLI::App& app, int& status) {
  auto s = std::make_shared<SendOptions>();
  auto* send_cmd = app.add_subcommand("udp-send", "Send a UDP datagram (repeatedly, if asked)");
  send_cmd->add_option("address", s->address, "Destination host:port")
      ->required()
      ->check(kHostPort);
  send_cmd->add_option("message", s->message, "Payload")->required();
  send_cmd->add_option("-n,--count", s->count, "How many datagrams")
      ->capture_default_str()
      ->check(kPositive);
  send_cmd->add_option("-i,--interval", s->interval, "Seconds between datagrams")
      ->check(kNonNegative);
  send_cmd->add_flag("--broadcast", s->broadcast, "Allow broadcast destinations (SO_BROADCAST)");
  send_cmd->add_option("--ttl", s->ttl, "Multicast TTL (0..255)")->check(CLI::Range(0, 255));
  send_cmd->final_callback([s, &status] { status = send(*s); });

  auto r = std::make_shared<ReceiveOptions>();
  auto* recv_cmd = app.add_subcommand(
      "udp-recv", "Print received datagrams: '<sender> <size>[ truncated] <payload>'");
  recv_cmd->add_option("-l,--listen", r->listen, "Address to bind")
      ->capture_default_str()
      ->check(kHostPort);
  recv_cmd->add_option("-n,--count", r->count, "Exit after this many datagrams (0 = never)")
      ->check(kNonNegative);
  recv_cmd->add_option("-t,--timeout", r->timeout, "Give up after this many idle seconds")
      ->check(kNonNegative);
  auto* join = recv_cmd->add_option("--join", r->join, "Multicast group to join, e.g. 239.1.2.3");
  recv_cmd->add_option("--interface", r->interface, "Interface for --join, e.g. eth0")
      ->needs(join);  // it names where to join; alone it would change nothing
  recv_cmd
      ->add_option("--buffer", r->buffer, "Receive buffer in bytes (smaller datagrams truncate)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  recv_cmd->final_callback([r, &status] { status = receive(*r); });
}

}  // namespace sockkit::cli
