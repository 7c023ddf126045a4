// SPDX-License-Identifier: MIT
// A UDP request/response probe in the style of CoAP's confirmable messages,
// on blocking sockets: each request carries a message id, is sent again with
// a doubling wait when no answer comes (2, 4, 8 … times the first wait), and
// only the answer with the same id counts — a late answer to an earlier
// request, or a datagram from anyone else, is ignored.
//
//   udp_probe ADDRESS [--tries N] [--wait MS]   # "reply <id> <ms>", exit 0; exit 1 if unanswered
//   udp_probe --serve ADDRESS [--count N]       # answers N requests (0: for ever), then exits
//
// A request is "PING <id>"; the answer is "PONG <id>".
#include <sockkit/sockkit.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string_view text(const char* data, std::size_t size) {
  return {data, size};
}

int serve(const sockkit::Endpoint& at, unsigned count) {
  auto socket = sockkit::UdpSocket::bind(at);
  if (!socket) return std::fprintf(stderr, "bind: %s\n", socket.error().message().c_str()), 1;
  std::printf("listening on %s\n", socket->local_endpoint()->to_string().c_str());
  std::fflush(stdout);
  for (unsigned answered = 0; count == 0 || answered < count;) {
    char buf[512];
    auto d = socket->receive_from(std::span<char>(buf));
    if (!d) return std::fprintf(stderr, "receive: %s\n", d.error().message().c_str()), 1;
    const std::string_view request = text(buf, d->size);
    if (d->truncated || !request.starts_with("PING ")) continue;  // not ours: no answer
    const std::string reply = "PONG " + std::string(request.substr(5));
    if (socket->send_to(reply, d->from)) ++answered;
  }
  return 0;
}

int probe(const sockkit::Endpoint& to, unsigned tries, milliseconds first_wait) {
  auto socket = sockkit::UdpSocket::open(to.family());
  if (!socket) return std::fprintf(stderr, "socket: %s\n", socket.error().message().c_str()), 1;
  // Connected: datagrams from other senders never reach receive_from, and an
  // ICMP port unreachable comes back as connection_refused.
  if (auto st = socket->connect(to); !st)
    return std::fprintf(stderr, "connect: %s\n", st.error().message().c_str()), 1;
  std::uint8_t id_bytes[2];
  if (!sockkit::random_bytes(std::as_writable_bytes(std::span(id_bytes))))
    return std::fprintf(stderr, "no entropy\n"), 1;
  unsigned id = static_cast<unsigned>(id_bytes[0]) << 8 | id_bytes[1];
  const auto started = Clock::now();
  milliseconds wait = first_wait;
  for (unsigned attempt = 1; attempt <= tries; ++attempt, wait *= 2) {
    const std::string request = "PING " + std::to_string(id + attempt);
    const std::string expected = "PONG " + std::to_string(id + attempt);
    if (auto sent = socket->send(request); !sent)
      return std::fprintf(stderr, "send: %s\n", sent.error().message().c_str()), 1;
    const auto deadline = Clock::now() + wait;
    for (;;) {  // until this try's answer or its deadline
      const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      (void)socket->set_receive_timeout(left);
      char buf[512];
      auto d = socket->receive_from(std::span<char>(buf));
      if (!d && d.error() == sockkit::errc::timed_out) break;
      if (!d && d.error() == sockkit::errc::connection_refused) {
        std::fprintf(stderr, "try %u: nobody listens at %s\n", attempt, to.to_string().c_str());
        break;  // the port may open before the next try
      }
      if (!d) return std::fprintf(stderr, "receive: %s\n", d.error().message().c_str()), 1;
      if (text(buf, d->size) != expected) {
        std::fprintf(stderr, "ignored: %.*s\n", static_cast<int>(d->size), buf);
        continue;  // stale (an earlier try's) or foreign
      }
      const auto ms = std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
      std::printf("reply %s after %lld ms, try %u\n", expected.c_str() + 5,
                  static_cast<long long>(ms), attempt);
      return 0;
    }
  }
  std::fprintf(stderr, "no answer from %s after %u tries\n", to.to_string().c_str(), tries);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool serving = false;
  std::string address;
  unsigned tries = 4, count = 0;
  long wait_ms = 500;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--serve") {
      serving = true;
    } else if (arg == "--tries" && has_value) {
      tries = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--wait" && has_value) {
      wait_ms = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--count" && has_value) {
      count = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (!arg.starts_with("-") && address.empty()) {
      address = arg;
    } else {
      address.clear();
      break;
    }
  }
  if (address.empty() || tries == 0 || wait_ms <= 0) {
    std::fprintf(stderr,
                 "usage: udp_probe ADDRESS [--tries N] [--wait MS]\n"
                 "       udp_probe --serve ADDRESS [--count N]\n");
    return 2;
  }
  auto at = sockkit::Endpoint::parse(address);
  if (!at)
    return std::fprintf(stderr, "%s: %s\n", address.c_str(), at.error().message().c_str()), 2;
  if (!sockkit::start_stack()) return 1;
  return serving ? serve(*at, count) : probe(*at, tries, milliseconds(wait_ms));
}
