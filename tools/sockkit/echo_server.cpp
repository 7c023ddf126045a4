// SPDX-License-Identifier: MIT
// `sockkit echo-server`: an echo server on the event loop (any backend), or
// with --blocking the simplest architecture, a thread per connection.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "common.hpp"
#include "echo_handler.hpp"

namespace sockkit::cli {
namespace {

struct EchoOptions {
  std::string listen = "127.0.0.1:7007";
  int max_connections = 1024;
  int count = 0;
  double idle_timeout = 0;
  bool quiet = false;
  bool blocking = false;
  std::string backend = to_string(default_backend());
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  std::string tls_backend = to_string(default_tls_backend());
  double tls_handshake_timeout = 10;
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

// The worker threads of the blocking server. Finished ones are joined on every
// accept, so a thread's stack is given back when its connection ends, not at exit.
class Workers {
 public:
  template <class Fn>
  void start(Fn fn) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    threads_.push_back({std::thread([fn = std::move(fn), done]() mutable {
                          fn();
                          done->store(true);
                        }),
                        done});
  }
  void join_finished() {
    std::erase_if(threads_, [](Worker& w) {
      if (!w.done->load()) return false;
      w.thread.join();
      return true;
    });
  }
  ~Workers() {
    for (auto& w : threads_)
      w.thread.join();
  }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> threads_;
};

int run_blocking(const EchoOptions& opt) {
  auto at = first_endpoint(opt.listen, true);
  if (!at) return fail("listen address '" + opt.listen + "'", at.error());
  auto listener = TcpListener::bind(*at);
  if (!listener) return fail("listen on " + at->to_string(), listener.error());
  std::printf("listening on %s (blocking, pid %d)\n",
              listener->local_endpoint()->to_string().c_str(), static_cast<int>(::getpid()));
  std::fflush(stdout);
  std::atomic<int> active{0};
  Workers workers;
  int refused = 0;
  for (int served = 0; opt.count == 0 || served < opt.count;) {
    auto client = listener->accept();
    workers.join_finished();
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
    workers.start([stream = std::move(client->stream), peer = client->peer, &opt,
                   &active]() mutable { serve(std::move(stream), peer, opt, active); });
  }
  return 0;  // ~Workers joins the rest
}

std::atomic<EventLoop*> g_signalled_loop{nullptr};

int run_loop(const EchoOptions& opt) {
  auto backend = parse_backend(opt.backend);
  if (!backend) return fail("backend '" + opt.backend + "'", backend.error());
  auto at = first_endpoint(opt.listen, true);
  if (!at) return fail("listen address '" + opt.listen + "'", at.error());
  auto loop = EventLoop::create({.backend = *backend});
  if (!loop) return fail(std::string("backend ") + opt.backend, loop.error());
  EchoHandler echo;
  ServerOptions options;
  options.max_connections = static_cast<std::size_t>(opt.max_connections);
  options.limits.idle_timeout = to_millis(opt.idle_timeout);
  options.listen.backlog = 4096;  // bursts of connections (capped by net.core.somaxconn)
  if (!opt.tls_cert.empty() || !opt.tls_key.empty()) {
    auto tls_backend = parse_tls_backend(opt.tls_backend);
    if (!tls_backend) return fail("TLS backend '" + opt.tls_backend + "'", tls_backend.error());
    TlsOptions tls;
    tls.backend = *tls_backend;
    tls.certificate_file = opt.tls_cert;
    tls.private_key_file = opt.tls_key;
    tls.ca_file = opt.tls_client_ca;
    tls.require_client_certificate = !opt.tls_client_ca.empty();
    tls.handshake_timeout = to_millis(opt.tls_handshake_timeout);
    auto context = TlsContext::server(tls);
    if (!context)
      return fail_tls("TLS certificate " + opt.tls_cert, context.error(),
                      {{"--tls-cert", opt.tls_cert},
                       {"--tls-key", opt.tls_key},
                       {"--tls-client-ca", opt.tls_client_ca}});
    options.tls = *context;
  }
  auto server = Server::start(*loop, *at, echo, options);
  if (!server) return fail("listen on " + at->to_string(), server.error());
  std::printf("listening on %s (backend %s%s%s, pid %d)\n",
              server->local_endpoint().to_string().c_str(), to_string(loop->backend()),
              options.tls ? ", tls " : "", options.tls ? opt.tls_backend.c_str() : "",
              static_cast<int>(::getpid()));
  std::fflush(stdout);
  // SIGINT/SIGTERM: flush what is queued (up to 2 s), then exit.
  g_signalled_loop = &*loop;
  auto on_signal = [](int) {
    if (EventLoop* l = g_signalled_loop.load())
      l->stop();  // stop() is async-signal-safe: a flag and a write()
  };
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (opt.count > 0) {
    // Event-driven, not polled: checked after each close (post: after the slot is freed).
    echo.closed = [&] {
      loop->post([&] {
        const auto st = server->stats();
        if (st.accepted >= static_cast<std::uint64_t>(opt.count) && st.open == 0) loop->stop();
      });
    };
  }
  auto status = loop->run();
  g_signalled_loop = nullptr;
  const bool flushed = server->shutdown(std::chrono::seconds(2));
  const auto st = server->stats();
  if (!opt.quiet)
    std::fprintf(stderr,
                 "accepted %llu, refused over limit %llu, past descriptor limit %llu, "
                 "accept pauses %llu, idle closed %llu, TLS handshakes failed %llu, "
                 "timed out %llu, displaced %llu, echoed %llu bytes%s\n",
                 static_cast<unsigned long long>(st.accepted),
                 static_cast<unsigned long long>(st.rejected_over_limit),
                 static_cast<unsigned long long>(st.rejected_descriptor_limit),
                 static_cast<unsigned long long>(st.accept_pauses),
                 static_cast<unsigned long long>(st.idle_closed),
                 static_cast<unsigned long long>(st.tls_handshake_failures),
                 static_cast<unsigned long long>(st.tls_handshake_timeouts),
                 static_cast<unsigned long long>(st.tls_handshakes_displaced),
                 static_cast<unsigned long long>(echo.bytes), flushed ? "" : " (flush timed out)");
  if (!status) return fail("event loop", status.error());
  return 0;
}

}  // namespace

void add_echo_server(CLI::App& app, int& status) {
  auto opt = std::make_shared<EchoOptions>();
  auto* cmd = app.add_subcommand("echo-server", "Echo every byte back (event loop, or --blocking)");
  auto* backend =
      cmd->add_option("-b,--backend", opt->backend, "select, poll, epoll, epoll-et or uring")
          ->capture_default_str()
          ->check(kBackendName);
  // A thread per connection has no event loop: a backend would be ignored.
  cmd->add_flag("--blocking", opt->blocking, "Blocking sockets, one thread per connection")
      ->excludes(backend);
  cmd->add_option("-l,--listen", opt->listen, "Address to listen on (port 0 = any free port)")
      ->check(kHostPort)
      ->capture_default_str();
  cmd->add_option("-m,--max-connections", opt->max_connections,
                  "Connections served at once; more are closed at once")
      ->capture_default_str()
      ->check(kPositive);
  cmd->add_option("-n,--count", opt->count, "Exit after serving this many connections (0 = never)")
      ->capture_default_str()
      ->check(kNonNegative);
  cmd->add_option("--idle-timeout", opt->idle_timeout,
                  "Close a connection idle this many seconds (0 = never)")
      ->check(kNonNegative);
  cmd->add_flag("-q,--quiet", opt->quiet, "Do not log connections on stderr");
  cmd->add_option("--tls-cert", opt->tls_cert, "Serve TLS with this certificate chain, PEM");
  cmd->add_option("--tls-key", opt->tls_key, "The certificate's private key, PEM");
  cmd->add_option("--tls-client-ca", opt->tls_client_ca,
                  "Require client certificates issued by this CA, PEM (mutual TLS)");
  // Without a certificate there is no TLS for these to shape: refused, not ignored.
  cmd->add_option("--tls-backend", opt->tls_backend, "openssl or mbedtls")
      ->capture_default_str()
      ->check(kTlsBackendName)
      ->needs("--tls-cert");
  cmd->add_option("--tls-handshake-timeout", opt->tls_handshake_timeout,
                  "Close a connection whose handshake is not done in this many seconds")
      ->capture_default_str()
      ->check(kPositive)
      ->needs("--tls-cert");
  cmd->final_callback([opt, &status] {
    const char* clash = nullptr;
    if (opt->tls_cert.empty() != opt->tls_key.empty())
      clash = "--tls-cert and --tls-key go together (the certificate and its private key)";
    else if (!opt->tls_client_ca.empty() && opt->tls_cert.empty())
      clash = "--tls-client-ca asks for mutual TLS: serve TLS with --tls-cert and --tls-key";
    if (clash != nullptr) {
      std::fprintf(stderr, "sockkit: %s\n", clash);
      status = 2;
      return;
    }
    if (opt->blocking && !opt->tls_cert.empty()) {
      std::fprintf(stderr,
                   "sockkit: --blocking serves plain TCP only; TLS runs on the event loop\n");
      status = 2;
      return;
    }
    status = opt->blocking ? run_blocking(*opt) : run_loop(*opt);
  });
}

}  // namespace sockkit::cli
