// SPDX-License-Identifier: MIT
// The WebSocket client session on any bytes a server might send: the first
// byte picks what the rest is — the answer to the upgrade itself, or frames
// after a correct answer, with or without an HTTP proxy's tunnel under it
// (whose answer the bytes then are, unless frames are fuzzed) — and how the stream is cut (bytes
// per read, the caller's buffer, a stream that stops taking writes). Never crashes, never loops
// without consuming input, never hands the caller more than was sent, and writes only whole, masked
// frames.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "support/memory_session.hpp"
#include "transport/websocket/codec.hpp"

namespace {

using namespace sockkit;
using sockkit::transport::ws::Opcode;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string header_value(const std::string& request, const std::string& name) {
  const auto at = request.find(name + ": ");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 2;
  return request.substr(start, request.find("\r\n", start) - start);
}

// Everything the session wrote is whole frames, each masked, none from the server's opcodes
// only: data, pong or close.
void check_written(std::string_view written) {
  while (!written.empty()) {
    auto h = transport::ws::parse_header(std::as_bytes(std::span(written.data(), written.size())));
    check(h.has_value() && h->masked);
    check(h->opcode == Opcode::binary || h->opcode == Opcode::pong || h->opcode == Opcode::close);
    check(written.size() >= h->header_size + h->payload_size);
    written.remove_prefix(h->header_size + static_cast<std::size_t>(h->payload_size));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const bool frames = data[0] & 1;
  test::Pipe pipe;
  pipe.read_chunk = 1 + data[1];
  const std::size_t buffer_size = 1 + data[2];
  const std::string input(reinterpret_cast<const char*>(data + 3), size - 3);
  auto made = transport::make_websocket_session(std::make_unique<test::MemorySession>(pipe),
                                                {.protocols = {"mqtt"}}, "fuzz.test");
  check(made.has_value());
  // Through a proxy's tunnel: a correct answer first when frames are fuzzed,
  // else the input is the proxy's answer (and whatever follows).
  const bool tunnel = data[0] & 4;
  if (tunnel) {
    made = transport::make_tunnel_session(std::make_unique<test::MemorySession>(pipe),
                                          std::move(*made),
                                          transport::connect_request("fuzz.test:443", "u", "p"));
    check(made.has_value());
  }
  auto& session = **made;
  auto st = session.handshake();
  if (tunnel && frames) {
    check(!st && st.error() == errc::would_block);
    pipe.incoming = "HTTP/1.1 200 Connection established\r\n\r\n";
    st = session.handshake();
  }
  const std::string request = pipe.written;
  pipe.written.clear();
  if (frames) {
    const std::string key = header_value(request, "Sec-WebSocket-Key");
    pipe.incoming =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Accept: " +
        transport::ws::accept_for(key) + "\r\n\r\n";
  }
  pipe.incoming += input;
  pipe.eof = true;
  while (!(st = session.handshake())) {
    const std::size_t left = pipe.incoming.size();
    if (st.error() != errc::would_block || left == 0) return 0;
    st = session.handshake();
    if (!st && st.error() == errc::would_block && pipe.incoming.size() == left) return 0;
    if (st) break;
  }
  if (data[0] & 2) pipe.write_room = data[1];  // then the stream stops taking writes
  std::size_t delivered = 0;
  std::string buffer(buffer_size, '\0');
  for (std::size_t rounds = 0;; ++rounds) {
    check(rounds <= input.size() + 2);  // every read consumes input or ends
    auto n = session.read(std::as_writable_bytes(std::span(buffer.data(), buffer.size())));
    if (!n || *n == 0) break;
    check(*n <= buffer.size());
    delivered += *n;
    if (rounds % 8 == 0) (void)session.write(std::as_bytes(std::span(buffer.data(), *n)));
  }
  check(delivered <= input.size());
  (void)session.close_notify();
  if (pipe.write_room == SIZE_MAX) check_written(pipe.written);
  return 0;
}
