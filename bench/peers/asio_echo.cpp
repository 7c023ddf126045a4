// SPDX-License-Identifier: MIT
// Asio's echo server as its examples write one, for bench/compare.sh: one
// io_context on one thread, async_read_some into a 64 KiB buffer, async_write
// of what came, then read again (so a peer that does not read stops the reads).
//   bench_asio_echo PORT
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <asio.hpp>

using asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}
  void start() {
    socket_.set_option(tcp::no_delay(true));
    read();
  }

 private:
  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buffer_), [self](std::error_code ec, std::size_t n) {
      if (!ec) self->write(n);
    });
  }
  void write(std::size_t n) {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(buffer_, n), [self](std::error_code ec, std::size_t) {
      if (!ec) self->read();
    });
  }
  tcp::socket socket_;
  std::array<char, 64 * 1024> buffer_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](std::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket))->start();
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: bench_asio_echo PORT\n"), 2;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(std::atoi(argv[1]))));
  acceptor.listen(4096);
  accept(acceptor);
  std::printf("listening on 127.0.0.1:%s\n", argv[1]);
  std::fflush(stdout);
  io.run();
}
