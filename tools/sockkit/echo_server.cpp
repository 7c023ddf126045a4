// `sockkit echo-server`: a blocking, thread-per-connection echo server (the
// seed's first architecture) with a connection limit.
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "common.hpp"

namespace sockkit::cli {
namespace {

struct EchoOptions {
  std::string listen = "127.0.0.1:7007";
  int max_connections = 64;
  int count = 0;
  double idle_timeout = 0;
  bool quiet = false;
};

void serve(TcpStream stream, Endpoint peer, const EchoOptions& opt, std::atomic<int>& active) {
  if (opt.idle_timeout > 0) (void)stream.set_receive_timeout(to_millis(opt.idle_timeout));
  std::byte buf[16 * 1024];
  std::size_t total = 0;
  std::error_code why;
  for (;;) {
    auto n = stream.receive(buf);
    if (!n) {
      why = n.error();
      break;
    }
    if (*n == 0) break;  // the client half-closed: everything is echoed, close too
    if (auto st = stream.write_all(std::span(buf, *n)); !st) {
      why = st.error();
      break;
    }
    total += *n;
  }
  if (!opt.quiet) {
    std::fprintf(stderr, "closed %s after %zu bytes%s%s\n", peer.to_string().c_str(), total,
                 why ? ": " : "", why ? why.message().c_str() : "");
  }
  --active;
}

int run(const EchoOptions& opt) {
  auto at = first_endpoint(opt.listen, true);
  if (!at) return fail("listen address '" + opt.listen + "'", at.error());
  auto listener = TcpListener::bind(*at);
  if (!listener) return fail("listen on " + at->to_string(), listener.error());
  std::printf("listening on %s\n", listener->local_endpoint()->to_string().c_str());
  std::fflush(stdout);
  std::atomic<int> active{0};
  std::vector<std::thread> workers;
  int refused = 0;
  for (int served = 0; opt.count == 0 || served < opt.count;) {
    auto client = listener->accept();
    if (!client) {
      // Out of descriptors or an aborted handshake: report, back off, keep serving.
      fail("accept", client.error());
      if (client.error() == errc::too_many_sockets)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (active.load() >= opt.max_connections) {
      ++refused;  // over the limit: close at once instead of queueing forever
      if (!opt.quiet)
        std::fprintf(stderr, "refused %s: %d connections already (refused so far: %d)\n",
                     client->peer.to_string().c_str(), opt.max_connections, refused);
      continue;
    }
    ++served;
    ++active;
    if (!opt.quiet) std::fprintf(stderr, "accepted %s\n", client->peer.to_string().c_str());
    workers.emplace_back(serve, std::move(client->stream), client->peer, std::cref(opt),
                         std::ref(active));
  }
  for (auto& w : workers)
    w.join();
  return 0;
}

}  // namespace

void add_echo_server(CLI::App& app, int& status) {
  auto opt = std::make_shared<EchoOptions>();
  auto* cmd =
      app.add_subcommand("echo-server", "Echo every byte back (blocking, thread per connection)");
  cmd->add_option("-l,--listen", opt->listen, "Address to listen on (port 0 = any free port)")
      ->capture_default_str();
  cmd->add_option("-m,--max-connections", opt->max_connections,
                  "Connections served at once; more are closed at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("-n,--count", opt->count, "Exit after serving this many connections (0 = never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--idle-timeout", opt->idle_timeout,
                  "Close a connection idle this many seconds (0 = never)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-q,--quiet", opt->quiet, "Do not log connections on stderr");
  cmd->final_callback([opt, &status] { status = run(*opt); });
}

}  // namespace sockkit::cli
