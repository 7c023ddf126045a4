// SPDX-License-Identifier: MIT
// A TLS echo server on Asio's ssl::stream over OpenSSL (Debian's libasio-dev):
// the peer library sockkit's TLS echo server is compared with. One thread, one
// io_context, like sockkit's loop; TLS 1.2 and 1.3, session tickets as OpenSSL
// sets them by default. Prints "listening on 127.0.0.1:PORT" once ready.
//
//   bench_asio_tls_echo CERT KEY [PORT=0]
#define ASIO_STANDALONE
#include <asio.hpp>
#include <asio/ssl.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

using asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, asio::ssl::context& tls) : stream_(std::move(socket), tls) {}
  void start() {
    auto self = shared_from_this();
    stream_.async_handshake(asio::ssl::stream_base::server, [self](std::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    auto self = shared_from_this();
    stream_.async_read_some(asio::buffer(buffer_), [self](std::error_code ec, std::size_t n) {
      if (ec) return;
      asio::async_write(self->stream_, asio::buffer(self->buffer_, n),
                        [self](std::error_code wec, std::size_t) {
                          if (!wec) self->read();
                        });
    });
  }

  asio::ssl::stream<tcp::socket> stream_;
  std::array<char, 64 * 1024> buffer_;
};

void accept(tcp::acceptor& acceptor, asio::ssl::context& tls) {
  acceptor.async_accept([&](std::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(socket), tls)->start();
    }
    accept(acceptor, tls);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_asio_tls_echo CERT KEY [PORT]\n");
    return 2;
  }
  asio::io_context io(1);
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  tls.use_certificate_chain_file(argv[1]);
  tls.use_private_key_file(argv[2], asio::ssl::context::pem);
  const auto port = static_cast<unsigned short>(argc > 3 ? std::atoi(argv[3]) : 0);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::printf("listening on 127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  accept(acceptor, tls);
  io.run();
  return 0;
}
