// SPDX-License-Identifier: MIT
// `sockkit connect`: netcat-like. stdin goes to the socket, the socket to
// stdout; at stdin EOF the write side is shut (half-close) and the reply is
// still read to the end. With --tls, like `openssl s_client`: the same over a
// verified TLS connection (on the event loop; stdin is read by a thread that
// posts to it).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "common.hpp"

namespace sockkit::cli {
namespace {

struct ConnectOptions {
  std::string address;
  std::vector<std::string> separate_port;  // a second positional: refused with the fix
  double timeout = 5;
  bool no_delay = false;
  bool verbose = false;
  TlsClientFlags tls;
};

// The TLS session's side: everything on the loop thread.
struct TlsConsole : ConnectionHandler {
  explicit TlsConsole(const ConnectOptions& o) : opt(o) {}
  void on_open(Connection& c) override {
    id = c.id();
    opened = true;
    if (!opt.verbose) return;
    if (auto info = c.tls_info())
      std::fprintf(stderr, "tls: %s, %s%s\ntls: peer %s%s%s\n", info->version.c_str(),
                   info->cipher.c_str(), info->resumed ? ", resumed" : "",
                   info->peer_subject.c_str(), info->alpn.empty() ? "" : ", alpn ",
                   info->alpn.c_str());
  }
  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return data.size();
  }
  void on_drain(Connection& c) override { queued = c.queued_bytes(); }
  void on_close(Connection&, std::error_code why) override {
    error = why;
    done = true;
    loop->stop();
  }
  void on_connect_failed(const Endpoint&, std::error_code why) override {
    error = why;
    done = true;
    loop->stop();
  }
  const ConnectOptions& opt;
  EventLoop* loop = nullptr;
  Connection::Id id = 0;
  std::atomic<bool> opened{false};
  std::atomic<std::size_t> queued{0};
  std::error_code error;
  std::atomic<bool> done{false};
};

int run_tls(const ConnectOptions& opt) {
  auto tls = make_client_tls(opt.tls, opt.address);
  if (!tls) return fail_tls("TLS", tls.error(), tls_files(opt.tls));
  auto loop = EventLoop::create();
  if (!loop) return fail("event loop", loop.error());
  TlsConsole console(opt);
  console.loop = &*loop;
  auto client = Client::create(*loop, console);
  if (!client) return fail("client", client.error());
  // One deadline for the lookup, the connect and the TLS handshake together.
  if (auto st = client->connect(opt.address, to_millis(opt.timeout), {.tls = *tls}); !st)
    return fail("connect " + opt.address, st.error());
  std::atomic<bool> stdin_done{false};
  std::thread pump([&] {
    while (!console.opened && !console.done)  // stdin waits for the handshake
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::byte buf[16 * 1024];
    for (;;) {
      while (console.queued.load() > (1u << 20) && !console.done)  // the peer reads slowly
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
      if (n <= 0) break;
      auto chunk = std::make_shared<std::vector<std::byte>>(buf, buf + n);
      loop->post([&, chunk] {
        if (Connection* c = client->find(console.id)) {
          (void)c->send(*chunk);
          console.queued = c->queued_bytes();
        }
      });
    }
    loop->post([&] {
      if (Connection* c = client->find(console.id)) c->shutdown_write();
    });
    stdin_done = true;
  });
  auto status = loop->run();
  int exit_status = 0;
  if (!status) exit_status = fail("event loop", status.error());
  if (console.error) exit_status = fail("connect " + opt.address, console.error);
  std::fflush(stdout);
  if (!stdin_done) std::_Exit(exit_status);  // the pump may sit in read(stdin) forever
  pump.join();
  return exit_status;
}

int run(const ConnectOptions& opt) {
  if (opt.tls.enabled) return run_tls(opt);
  auto stream = TcpStream::connect(opt.address, to_millis(opt.timeout));
  if (!stream) return fail("connect " + opt.address, stream.error());
  if (opt.no_delay) (void)stream->set_no_delay(true);

  std::atomic<bool> stdin_done{false};
  std::error_code send_error;
  std::thread pump([&] {
    std::byte buf[16 * 1024];
    for (;;) {
      const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
      if (n <= 0) break;
      if (auto st = stream->write_all(std::span(buf, static_cast<std::size_t>(n))); !st) {
        send_error = st.error();
        break;
      }
    }
    (void)stream->shutdown_write();  // tell the peer we are done; keep reading its reply
    stdin_done = true;
  });

  int status = 0;
  std::byte buf[16 * 1024];
  for (;;) {
    auto n = stream->receive(buf);
    if (!n) {
      status = fail("receive from " + opt.address, n.error());
      break;
    }
    if (*n == 0) break;
    std::fwrite(buf, 1, *n, stdout);
    std::fflush(stdout);
  }
  if (!stdin_done) {
    // The peer closed first; the pump may sit in read(stdin) forever. Leave now.
    std::fflush(stdout);
    std::_Exit(status);
  }
  pump.join();
  if (send_error && status == 0) status = fail("send to " + opt.address, send_error);
  return status;
}

}  // namespace

void add_connect(CLI::App& app, int& status) {
  auto opt = std::make_shared<ConnectOptions>();
  auto* cmd =
      app.add_subcommand("connect", "Connect over TCP: stdin to the socket, socket to stdout");
  cmd->add_option("address", opt->address, "host:port, [v6]:port or unix:/path")
      ->required();  // checked with the port after it, if any: refuse_address
  // "connect HOST PORT" (ncat's order): caught to show the HOST:PORT form.
  cmd->add_option("port", opt->separate_port)->group("");
  cmd->add_option("-t,--timeout", opt->timeout,
                  "Give up after this many seconds, name resolution included")
      ->capture_default_str()
      ->check(kPositive);
  cmd->add_flag("--no-delay", opt->no_delay, "Disable Nagle (TCP_NODELAY)");
  cmd->add_flag("-v,--verbose", opt->verbose,
                "With --tls: the version, cipher and peer certificate on stderr");
  add_tls_client_flags(*cmd, opt->tls, true);
  cmd->final_callback([opt, &status] {
    if (refuse_address(opt->address, opt->separate_port)) {
      status = 2;
      return;
    }
    status = settle_tls_client_flags(opt->tls) ? run(*opt) : 2;
  });
}

}  // namespace sockkit::cli
