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
  std::string message;  // empty with from_stdin: each line of stdin is one datagram
  bool from_stdin = false;
  int count = 1;
  double interval = 0;
  bool broadcast = false;
  int ttl = -1;
  double reply = 0;  // > 0: wait this long for a reply to each datagram
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

// One reply to a request: printed as a line, or a clear error (timed_out when
// nothing came back; connection_refused when the host said no one listens).
int await_reply(UdpSocket& socket, const Endpoint& to) {
  std::vector<std::byte> buf(65536);
  auto d = socket.receive_from(buf);
  if (!d) return fail("reply from " + to.to_string(), d.error());
  std::printf("%s\n", printable(std::span(buf.data(), d->size)).c_str());
  std::fflush(stdout);
  return 0;
}

int send(const SendOptions& opt) {
  auto to = first_endpoint(opt.address, false);
  if (!to) return fail("address '" + opt.address + "'", to.error());
  auto socket = UdpSocket::open(to->family());
  if (!socket) return fail("udp socket", socket.error());
  if (opt.broadcast)
    if (auto st = socket->set_broadcast(true); !st) return fail("broadcast", st.error());
  if (opt.ttl >= 0)
    if (auto st = socket->set_multicast_ttl(opt.ttl); !st) return fail("ttl", st.error());
  // Connected, replies come only from the destination, and a closed port
  // says so at once; a broadcast's replies come from other addresses.
  const bool connected = opt.reply > 0 && !opt.broadcast;
  if (connected)
    if (auto st = socket->connect(*to); !st) return fail("connect " + to->to_string(), st.error());
  if (opt.reply > 0) {
    if (auto st = socket->set_receive_timeout(to_millis(opt.reply)); !st)
      return fail("reply timeout", st.error());
  }
  auto send_one = [&](std::string_view payload) -> int {
    auto n = connected ? socket->send(payload) : socket->send_to(payload, *to);
    if (!n) return fail("send to " + to->to_string(), n.error());
    return opt.reply > 0 ? await_reply(*socket, *to) : 0;
  };
  if (opt.from_stdin) {
    char* line = nullptr;
    std::size_t capacity = 0;
    int status = 0;
    for (ssize_t n; status == 0 && (n = ::getline(&line, &capacity, stdin)) >= 0;) {
      std::string_view payload(line, static_cast<std::size_t>(n));
      if (!payload.empty() && payload.back() == '\n') payload.remove_suffix(1);
      if (!payload.empty()) status = send_one(payload);
    }
    std::free(line);
    return status;
  }
  for (int i = 0; i < opt.count; ++i) {
    if (i > 0 && opt.interval > 0) std::this_thread::sleep_for(to_millis(opt.interval));
    if (int status = send_one(opt.message); status != 0) return status;
  }
  return 0;
}

struct ReceiveOptions {
  std::string listen = "127.0.0.1:5000";  // loopback unless asked, like echo-server
  int count = 0;
  double timeout = 0;
  std::string join;
  std::string interface;
  std::size_t buffer = 2048;
  bool raw = false;  // payload bytes only, for piping
};

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
  // The banner goes to stderr: stdout carries only what was received.
  std::fprintf(stderr, "listening on %s\n", socket->local_endpoint()->to_string().c_str());
  std::vector<std::byte> buf(opt.buffer);
  for (int got = 0; opt.count == 0 || got < opt.count; ++got) {
    auto d = socket->receive_from(buf);
    if (!d) return fail("receive", d.error());
    if (opt.raw) {
      std::fwrite(buf.data(), 1, d->size, stdout);
      std::fflush(stdout);
      continue;
    }
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
  auto* send_cmd = app.add_subcommand(
      "udp-send", "Send a UDP datagram (repeatedly, if asked), or each line of stdin as one");
  send_cmd->add_option("address", s->address, "Destination host:port")
      ->required()
      ->check(kHostPort);
  auto* message = send_cmd->add_option(
      "message", s->message, "Payload; without it, each non-empty line of stdin is one datagram");
  send_cmd->add_option("-n,--count", s->count, "How many times to send MESSAGE")
      ->capture_default_str()
      ->check(kPositive)
      ->needs(message);  // stdin's lines are sent once each
  send_cmd->add_option("-i,--interval", s->interval, "Seconds between repeats of MESSAGE")
      ->check(kNonNegative)
      ->needs(message);
  send_cmd->add_flag("--broadcast", s->broadcast, "Allow broadcast destinations (SO_BROADCAST)");
  send_cmd->add_option("--ttl", s->ttl, "Multicast TTL (0..255)")->check(CLI::Range(0, 255));
  send_cmd
      ->add_option("--reply", s->reply,
                   "Wait up to this many seconds for a reply to each datagram and print it")
      ->check(CLI::PositiveNumber);
  send_cmd->final_callback([s, message, &status] {
    s->from_stdin = message->count() == 0;
    status = send(*s);
  });

  auto r = std::make_shared<ReceiveOptions>();
  auto* recv_cmd = app.add_subcommand(
      "udp-recv", "Print received datagrams: '<sender> <size>[ truncated] <payload>'");
  recv_cmd
      ->add_option("-l,--listen", r->listen, "Address to bind (0.0.0.0:PORT for every interface)")
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
  recv_cmd->add_flag("--raw", r->raw,
                     "Write only the payloads' bytes to stdout, nothing between them (for pipes)");
  recv_cmd->final_callback([r, &status] { status = receive(*r); });
}

}  // namespace sockkit::cli
