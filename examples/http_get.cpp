// SPDX-License-Identifier: MIT
// An HTTP/1.1 GET with blocking sockets: resolve and connect with one
// deadline, send the request, read the answer to the end (Connection: close),
// and print the body; the status line and headers go to stderr.
//   http_get HOST:PORT [PATH]      e.g. http_get 127.0.0.1:8080 /status
// Exit status: 0 for a 2xx answer, 1 for any other status or an error.
#include <sockkit/sockkit.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
using namespace std::chrono_literals;

// A chunked body ("5\r\nhello\r\n0\r\n\r\n") as plain bytes; nullopt if malformed.
std::optional<std::string> dechunk(const std::string& body) {
  std::string plain;
  for (std::size_t at = 0;;) {
    const auto eol = body.find("\r\n", at);
    if (eol == std::string::npos) return std::nullopt;
    char* end = nullptr;
    const unsigned long size = std::strtoul(body.c_str() + at, &end, 16);
    if (end == body.c_str() + at || size > body.size() - eol - 2) return std::nullopt;
    if (size == 0) return plain;
    plain.append(body, eol + 2, size);
    at = eol + 2 + size + 2;  // the chunk and its CRLF
  }
}

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: http_get HOST:PORT [PATH]\n"), 2;
  if (!sockkit::start_stack()) return 1;
  const std::string host_port = argv[1];
  const std::string path = argc > 2 ? argv[2] : "/";
  auto stream = sockkit::TcpStream::connect(host_port, 5s);  // name, then each address
  if (!stream) return std::fprintf(stderr, "connect: %s\n", stream.error().message().c_str()), 1;
  const std::string host = host_port.substr(0, host_port.rfind(':'));
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nUser-Agent: sockkit-example\r\nConnection: close\r\n\r\n";
  if (auto st = stream->write_all(request, 5s); !st)
    return std::fprintf(stderr, "send: %s\n", st.error().message().c_str()), 1;
  // Connection: close — the server ends the answer by closing; read to EOF.
  (void)stream->set_receive_timeout(10s);
  std::string answer;
  char buf[4096];
  for (;;) {
    auto n = stream->receive(std::span<char>(buf));
    if (!n) return std::fprintf(stderr, "receive: %s\n", n.error().message().c_str()), 1;
    if (*n == 0) break;
    answer.append(buf, *n);
  }
  const auto end_of_head = answer.find("\r\n\r\n");
  if (answer.rfind("HTTP/1.", 0) != 0 || end_of_head == std::string::npos)
    return std::fprintf(stderr, "not an HTTP answer (%zu bytes)\n", answer.size()), 1;
  const std::string head = answer.substr(0, end_of_head);
  std::fprintf(stderr, "%s\n", head.c_str());
  std::string body = answer.substr(end_of_head + 4);
  if (head.find("\r\nTransfer-Encoding: chunked") != std::string::npos) {
    auto plain = dechunk(body);
    if (!plain) return std::fprintf(stderr, "malformed chunked body\n"), 1;
    body = *plain;
  }
  std::fwrite(body.data(), 1, body.size(), stdout);
  const bool success = answer.compare(9, 1, "2") == 0;  // "HTTP/1.1 2xx"
  return success ? 0 : 1;
}
