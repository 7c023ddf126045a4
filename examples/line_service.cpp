// SPDX-License-Identifier: MIT
// A line-based TCP service with per-connection state: the kind of small
// control port a gateway offers its local peers. Each line is a command:
//
//   HELLO <name>       names this session            -> OK hello <name>
//   SET <key> <value>  stores a value for everyone    -> OK
//   GET <key>          reads it back                  -> VALUE <key> <value> | ERR no such key
//   STATS              this session's own counters    -> OK name=<name> lines=<n>
//   QUIT               ends the session               -> BYE
//
// A line longer than 256 bytes is answered "ERR line too long" and the
// session ends; an unknown command is an error line, not the end.
//
//   line_service [ADDRESS] [--serve N]    # ADDRESS 127.0.0.1:0; N sessions, then exit
#include <sockkit/sockkit.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
using namespace std::chrono_literals;

namespace {

volatile std::sig_atomic_t interrupted = 0;

constexpr std::size_t kMaxLine = 256;

// What each connection remembers, held in the connection itself.
struct Session {
  std::string name = "anonymous";
  unsigned lines = 0;
  bool quitting = false;
  sockkit::DelimiterFramer framer{'\n', kMaxLine};
};

std::string_view next_word(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ')
    rest.remove_prefix(1);
  const auto end = rest.find(' ');
  const std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return word;
}

class LineService : public sockkit::ConnectionHandler {
 public:
  explicit LineService(unsigned serve) : sessions_left_(serve) {}
  bool done() const { return sessions_left_ == 0; }

  void on_open(sockkit::Connection& c) override { c.emplace_state<Session>(); }

  sockkit::Result<std::size_t> on_data(sockkit::Connection& c,
                                       std::span<const std::byte> data) override {
    Session* session = c.state<Session>();
    if (session == nullptr) return sockkit::make_error(std::errc::not_enough_memory);
    std::size_t used = 0;
    while (c.is_open()) {
      auto frame = session->framer.next(data.subspan(used));
      if (!frame) {  // no newline within kMaxLine bytes: say why, then end the session
        (void)c.send("ERR line too long\n");
        c.pause_reading();  // nothing more of this session is read
        c.close_after_flush();
        return data.size();
      }
      if (frame->consumed == 0) break;  // an incomplete line waits for more bytes
      used += frame->consumed;
      std::string_view line(reinterpret_cast<const char*>(frame->payload.data()),
                            frame->payload.size());
      if (line.ends_with('\r')) line.remove_suffix(1);  // telnet and nc -C send CRLF
      ++session->lines;
      if (auto st = c.send(answer(*session, line)); !st) return st.error();
      if (session->quitting) {  // after the answer: nothing is sent once closing
        c.close_after_flush();
        return data.size();
      }
    }
    return used;
  }

  void on_close(sockkit::Connection&, sockkit::ErrorCode) override {
    if (sessions_left_ > 0) --sessions_left_;  // the state is destroyed after this returns
  }

 private:
  std::string answer(Session& session, std::string_view line) {
    std::string_view rest = line;
    const std::string_view command = next_word(rest);
    if (command == "HELLO" && !rest.empty()) {
      session.name = std::string(rest);
      return "OK hello " + session.name + "\n";
    }
    if (command == "SET") {
      const std::string key(next_word(rest));
      if (key.empty() || rest.empty()) return "ERR usage: SET <key> <value>\n";
      table_[key] = std::string(rest);
      return "OK\n";
    }
    if (command == "GET") {
      const auto it = table_.find(std::string(next_word(rest)));
      if (it == table_.end()) return "ERR no such key\n";
      return "VALUE " + it->first + " " + it->second + "\n";
    }
    if (command == "STATS")
      return "OK name=" + session.name + " lines=" + std::to_string(session.lines) + "\n";
    if (command == "QUIT") {
      session.quitting = true;
      return "BYE\n";
    }
    return "ERR unknown command\n";
  }

  std::map<std::string, std::string> table_;  // shared by every session
  unsigned sessions_left_;                    // 0 from the start: serve for ever
};

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1:0";
  unsigned serve = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--serve" && i + 1 < argc) {
      serve = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
      if (serve == 0) return std::fprintf(stderr, "--serve: a positive number\n"), 2;
    } else if (!arg.starts_with("-")) {
      address = arg;
    } else {
      return std::fprintf(stderr, "usage: line_service [ADDRESS] [--serve N]\n"), 2;
    }
  }
  auto at = sockkit::Endpoint::parse(address);
  if (!at)
    return std::fprintf(stderr, "%s: %s\n", address.c_str(), at.error().message().c_str()), 2;
  if (!sockkit::start_stack()) return 1;
  auto loop = sockkit::EventLoop::create();
  if (!loop) return std::fprintf(stderr, "loop: %s\n", loop.error().message().c_str()), 1;
  LineService service(serve);
  auto server = sockkit::Server::start(*loop, *at, service,
                                       {.max_connections = 64, .limits = {.idle_timeout = 5min}});
  if (!server) return std::fprintf(stderr, "server: %s\n", server.error().message().c_str()), 1;
  std::printf("listening on %s\n", server->local_endpoint().to_string().c_str());
  std::fflush(stdout);

  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  loop->add_repeating_timer(100ms, [&] {
    if (interrupted || (serve != 0 && service.done())) loop->stop();
  });
  if (auto st = loop->run(); !st)
    return std::fprintf(stderr, "loop: %s\n", st.error().message().c_str()), 1;
  return 0;
}
