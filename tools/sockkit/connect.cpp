// `sockkit connect`: netcat-like. stdin goes to the socket, the socket to
// stdout; at stdin EOF the write side is shut (half-close) and the reply is
// still read to the end.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "common.hpp"

namespace sockkit::cli {
namespace {

struct ConnectOptions {
  std::string address;
  double timeout = 5;
  bool no_delay = false;
};

int run(const ConnectOptions& opt) {
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
  cmd->add_option("address", opt->address, "host:port, [v6]:port or unix:/path")->required();
  cmd->add_option("-t,--timeout", opt->timeout, "Connect timeout in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-delay", opt->no_delay, "Disable Nagle (TCP_NODELAY)");
  cmd->final_callback([opt, &status] { status = run(*opt); });
}

}  // namespace sockkit::cli
