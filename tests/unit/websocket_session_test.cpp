// SPDX-License-Identifier: MIT
// The WebSocket client session over an in-memory stream: the upgrade, frames
// both ways, pings, closes, a peer that breaks RFC 6455, a stream that blocks.
// No sockets; against real servers (python3-websockets, websockify) it is
// tested in websocket_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "sockkit/error.hpp"
#include "sockkit/event_loop.hpp"
#include "support/memory_session.hpp"
#include "transport/transport.hpp"
#include "transport/websocket/codec.hpp"

namespace sockkit::transport {
namespace {

using test::MemorySession;
using test::Pipe;
using ws::Opcode;

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

// A literal's bytes, zeros included.
template <std::size_t N>
std::span<const std::byte> raw(const char (&s)[N]) {
  return std::as_bytes(std::span(s, N - 1));
}

struct Frame {
  Opcode opcode;
  bool fin;
  std::string payload;
};

// The client's frames in `written` (masked, as a client must).
std::vector<Frame> client_frames(std::string_view written) {
  std::vector<Frame> frames;
  while (!written.empty()) {
    auto h = ws::parse_header(bytes(written));
    EXPECT_TRUE(h.has_value());
    if (!h) break;
    EXPECT_TRUE(h->masked) << "a client masks every frame";
    const auto size = static_cast<std::size_t>(h->payload_size);  // frames written here: small
    std::string payload(written.substr(h->header_size, size));
    ws::apply_mask(std::as_writable_bytes(std::span(payload.data(), payload.size())), h->mask, 0);
    frames.push_back({h->opcode, h->fin, payload});
    written.remove_prefix(h->header_size + size);
  }
  return frames;
}

// A frame as a server sends it (unmasked unless asked).
std::string server_frame(Opcode opcode, std::string_view payload, bool fin = true,
                         bool masked = false) {
  std::array<std::byte, ws::kMaxHeader> header;
  const ws::MaskKey key{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
  const std::size_t n =
      ws::put_header(header, opcode, fin, payload.size(), masked ? &key : nullptr);
  std::string out(reinterpret_cast<const char*>(header.data()), n);
  std::string body(payload);
  if (masked) ws::apply_mask(std::as_writable_bytes(std::span(body.data(), body.size())), key, 0);
  return out + body;
}

std::string header_value(std::string_view request, std::string_view name) {
  const auto at = request.find(std::string(name) + ": ");
  if (at == std::string_view::npos) return {};
  const auto start = at + name.size() + 2;
  return std::string(request.substr(start, request.find("\r\n", start) - start));
}

class WebSocketSessionTest : public ::testing::Test {
 protected:
  std::unique_ptr<Session> open(WebSocketOptions options = {}) {
    auto s =
        make_websocket_session(std::make_unique<MemorySession>(pipe), options, "broker.test:8080");
    EXPECT_TRUE(s.has_value());
    return s ? std::move(*s) : nullptr;
  }

  // Completes the upgrade with the answer a correct server gives, plus `extra`.
  std::unique_ptr<Session> upgraded(WebSocketOptions options = {}, std::string extra = {}) {
    auto s = open(std::move(options));
    EXPECT_EQ(s->handshake().error(), errc::would_block);
    const std::string key = header_value(pipe.written, "Sec-WebSocket-Key");
    pipe.incoming =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
        ws::accept_for(key) + "\r\n\r\n" + extra;
    EXPECT_TRUE(s->handshake());
    pipe.written.clear();
    return s;
  }

  std::string read_all(Session& s) {
    std::string got;
    std::array<std::byte, 7> buf;  // small: payloads cross several reads
    for (;;) {
      auto n = s.read(buf);
      if (!n || *n == 0) break;
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    return got;
  }

  Pipe pipe;
};

TEST(WebSocketCodec, Sha1AndTheAcceptKeyMatchTheStandardsExamples) {
  const auto digest = ws::sha1(bytes("abc"));
  std::string hex;
  for (auto b : digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[std::to_integer<unsigned>(b) >> 4];
    hex += kDigits[std::to_integer<unsigned>(b) & 15];
  }
  EXPECT_EQ(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
  // A tail of 56 bytes needs a second block for the length; 64 bytes fill one exactly.
  EXPECT_EQ(ws::base64(ws::sha1(bytes(std::string(56, 'a')))), "wtszD2CDhUyZ1LW/tujynyAb5pk=");
  EXPECT_EQ(ws::base64(ws::sha1(bytes(std::string(64, 'a')))), "AJi6gktcFkJ716ESKlpEKiXsZE0=");
  EXPECT_EQ(ws::accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(ws::base64(bytes("fo")), "Zm8=");
  EXPECT_EQ(ws::base64(bytes("foo")), "Zm9v");
}

TEST(WebSocketCodec, HeadersUseTheShortestLengthAndRefuseOthers) {
  for (std::uint64_t size : {0ull, 125ull, 126ull, 65535ull, 65536ull, 1ull << 40}) {
    std::array<std::byte, ws::kMaxHeader> h;
    const std::size_t n = ws::put_header(h, Opcode::binary, true, size, nullptr);
    auto parsed = ws::parse_header(std::span(h).first(n));
    ASSERT_TRUE(parsed) << size;
    EXPECT_EQ(parsed->payload_size, size);
    EXPECT_EQ(parsed->header_size, size < 126 ? 2u : size <= 65535 ? 4u : 10u);
    EXPECT_EQ(ws::parse_header(std::span(h).first(n - 1)).error(), errc::would_block);
  }
  const auto broken = make_error_code(failure::websocket_protocol_error);
  EXPECT_EQ(ws::parse_header(raw("\x82\x7e\x00\x05")).error(), broken);            // 5 in 16 bits
  EXPECT_EQ(ws::parse_header(raw("\x82\x7f\x80\0\0\0\0\0\0\0")).error(), broken);  // top bit
  EXPECT_EQ(ws::parse_header(raw("\xc2\x00")).error(), broken);                    // RSV1
  EXPECT_EQ(ws::parse_header(raw("\x83\x00")).error(), broken);                    // opcode 3
  EXPECT_EQ(ws::parse_header(raw("\x09\x00")).error(), broken);          // fragmented ping
  EXPECT_EQ(ws::parse_header(raw("\x89\x7e\x00\x7e")).error(), broken);  // 126-byte ping
}

TEST_F(WebSocketSessionTest, TheRequestAsksForAnUpgradeWithTheOptionsGiven) {
  auto s = open({.path = "/mqtt?x=1",
                 .protocols = {"mqtt", "mqttv3.1"},
                 .headers = {{"Authorization", "Bearer abc"}}});
  EXPECT_EQ(s->handshake().error(), errc::would_block);
  EXPECT_EQ(s->wants(), io::readable);
  const std::string& r = pipe.written;
  EXPECT_TRUE(r.starts_with("GET /mqtt?x=1 HTTP/1.1\r\n")) << r;
  EXPECT_EQ(header_value(r, "Host"), "broker.test:8080");
  EXPECT_EQ(header_value(r, "Upgrade"), "websocket");
  EXPECT_EQ(header_value(r, "Connection"), "Upgrade");
  EXPECT_EQ(header_value(r, "Sec-WebSocket-Version"), "13");
  EXPECT_EQ(header_value(r, "Sec-WebSocket-Protocol"), "mqtt, mqttv3.1");
  EXPECT_EQ(header_value(r, "Authorization"), "Bearer abc");
  EXPECT_EQ(header_value(r, "Sec-WebSocket-Key").size(), 24u);  // 16 random bytes
  EXPECT_TRUE(r.ends_with("\r\n\r\n"));
}

TEST_F(WebSocketSessionTest, OptionsThatWouldInjectHeadersAreRefused) {
  const auto bad = make_error(std::errc::invalid_argument);
  EXPECT_EQ(check_websocket_options({.path = "/a\r\nX-Evil: 1"}).error(), bad);
  EXPECT_EQ(check_websocket_options({.path = "/a b"}).error(), bad);
  EXPECT_EQ(check_websocket_options({.path = "mqtt"}).error(), bad);
  EXPECT_EQ(check_websocket_options({.host = "a\nb"}).error(), bad);
  EXPECT_EQ(check_websocket_options({.protocols = {"mqtt, evil"}}).error(), bad);
  EXPECT_EQ(check_websocket_options({.headers = {{"X-A", "1\r\n\r\nGET / HTTP/1.1"}}}).error(),
            bad);
  EXPECT_EQ(check_websocket_options({.headers = {{"Bad Name", "1"}}}).error(), bad);
  EXPECT_EQ(check_websocket_options({.headers = {{"sec-websocket-key", "x"}}}).error(), bad);
  EXPECT_TRUE(check_websocket_options({.headers = {{"Origin", "http://a b"}}}));
  auto s = make_websocket_session(std::make_unique<MemorySession>(pipe), {.path = "/\n"}, "h");
  EXPECT_EQ(s.error(), bad);
}

TEST_F(WebSocketSessionTest, FramesAfterTheResponseHeadAreTheFirstData) {
  auto s = upgraded({}, server_frame(Opcode::binary, "hello"));
  EXPECT_EQ(read_all(*s), "hello");
}

TEST_F(WebSocketSessionTest, WrongAnswersToTheUpgradeAreRefused) {
  const auto refused = make_error_code(failure::websocket_refused);
  auto answer = [&](const std::string& head, WebSocketOptions options = {}) {
    pipe = {};
    auto s = open(std::move(options));
    (void)s->handshake();
    const std::string accept = ws::accept_for(header_value(pipe.written, "Sec-WebSocket-Key"));
    std::string text = head;
    if (auto at = text.find("ACCEPT"); at != std::string::npos) text.replace(at, 6, accept);
    pipe.incoming = text;
    pipe.eof = true;
    return s->handshake();
  };
  const std::string good_tail =
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
  EXPECT_TRUE(answer("HTTP/1.1 101 OK\r\n" + good_tail + "ACCEPT\r\n\r\n"));
  EXPECT_EQ(answer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").error(), refused);
  EXPECT_EQ(answer("HTTP/1.1 1010 OK\r\n" + good_tail + "ACCEPT\r\n\r\n").error(), refused);
  EXPECT_EQ(answer("HTTP/1.1 101 OK\r\n" + good_tail + "AAAA\r\n\r\n").error(), refused);
  EXPECT_EQ(answer("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n")
                .error(),
            refused);  // no Upgrade header
  EXPECT_EQ(answer("HTTP/1.1 101 OK\r\n" + good_tail +
                   "ACCEPT\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
                .error(),
            refused);
  EXPECT_EQ(
      answer("HTTP/1.1 101 OK\r\n" + good_tail + "ACCEPT\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
             {.protocols = {"mqtt"}})
          .error(),
      refused);  // a protocol not offered
  EXPECT_TRUE(
      answer("HTTP/1.1 101 OK\r\n" + good_tail + "ACCEPT\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n",
             {.protocols = {"mqtt"}}));
  EXPECT_EQ(answer("HTTP/1.1 101 OK\r\nUpgr").error(), refused);  // EOF inside the head
  EXPECT_EQ(answer("HTTP/1.1 101 OK\r\nX: " + std::string(9000, 'a')).error(), refused);
}

TEST_F(WebSocketSessionTest, FragmentsAreJoinedAndPingsAnsweredInBetween) {
  auto s = upgraded();
  pipe.incoming = server_frame(Opcode::text, "frag", false) + server_frame(Opcode::ping, "p1") +
                  server_frame(Opcode::continuation, "mented ", false) +
                  server_frame(Opcode::pong, "unasked") +
                  server_frame(Opcode::continuation, "message") + server_frame(Opcode::binary, "") +
                  server_frame(Opcode::binary, "!");
  EXPECT_EQ(read_all(*s), "fragmented message!");
  const auto frames = client_frames(pipe.written);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, Opcode::pong);
  EXPECT_EQ(frames[0].payload, "p1");
}

TEST_F(WebSocketSessionTest, BrokenFramesEndTheSessionWithCloseCode1002) {
  for (const std::string& bad : {server_frame(Opcode::binary, "x", true, true),  // masked
                                 server_frame(Opcode::continuation, "x"),  // nothing to continue
                                 server_frame(Opcode::binary, "a", false) +
                                     server_frame(Opcode::binary, "b"),       // a new one inside
                                 std::string("\x88\x01\x03", 3),              // close with one byte
                                 server_frame(Opcode::close, "\x03\xed")}) {  // code 1005 sent
    pipe = {};
    auto s = upgraded();
    pipe.incoming = bad;
    std::string got;
    std::array<std::byte, 64> buf;
    Result<std::size_t> n = std::size_t{0};
    while ((n = s->read(buf)) && *n > 0)
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    EXPECT_EQ(n.error(), make_error_code(failure::websocket_protocol_error));
    const auto frames = client_frames(pipe.written);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, Opcode::close);
    EXPECT_EQ(frames[0].payload, std::string("\x03\xea", 2));  // 1002
    EXPECT_EQ(s->write(bytes("more")).error(), make_error_code(failure::websocket_protocol_error));
  }
}

TEST_F(WebSocketSessionTest, ANormalCloseIsTheEndOfTheStreamAndIsAnswered) {
  auto s = upgraded();
  pipe.incoming = server_frame(Opcode::binary, "last") + server_frame(Opcode::close,
                                                                      "\x03\xe8"
                                                                      "bye");
  EXPECT_EQ(read_all(*s), "last");
  auto again = s->read(std::span<std::byte>());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
  const auto frames = client_frames(pipe.written);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, Opcode::close);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe8", 2));
  EXPECT_FALSE(s->write(bytes("late")));
}

TEST_F(WebSocketSessionTest, ACloseWithAnErrorCodeIsReportedAsSuch) {
  auto s = upgraded();
  pipe.incoming = server_frame(Opcode::close, "\x03\xf3internal");  // 1011
  std::array<std::byte, 16> buf;
  EXPECT_EQ(s->read(buf).error(), make_error_code(failure::websocket_closed));
}

TEST_F(WebSocketSessionTest, AnEofWithoutACloseFrameIsNotAnOrderlyEnd) {
  auto s = upgraded();
  pipe.incoming = server_frame(Opcode::binary, "partial").substr(0, 5);
  pipe.eof = true;
  std::array<std::byte, 16> buf;
  Result<std::size_t> n = std::size_t{0};
  while ((n = s->read(buf)) && *n > 0) {
  }
  EXPECT_EQ(n.error(), make_error_code(failure::closed_by_peer));
}

TEST_F(WebSocketSessionTest, WritesAreMaskedFramesOfBoundedSizeThatSurviveBlocking) {
  auto s = upgraded();
  std::string data(40000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<char>('a' + i % 26);
  pipe.write_room = 1000;  // the stream takes part of the first frame, then blocks
  std::size_t sent = 0;
  int blocked = 0;
  while (sent < data.size()) {
    auto n = s->write(bytes(data).subspan(sent));
    if (!n) {
      ASSERT_EQ(n.error(), errc::would_block);
      EXPECT_EQ(s->wants(), io::writable);
      ++blocked;
      pipe.write_room = 3000;  // the caller offers the same bytes again when writable
      continue;
    }
    sent += *n;
  }
  EXPECT_GT(blocked, 0);
  std::string joined;
  for (const auto& f : client_frames(pipe.written)) {
    EXPECT_EQ(f.opcode, Opcode::binary);
    EXPECT_LE(f.payload.size(), 16384u);
    joined += f.payload;
  }
  EXPECT_EQ(joined, data);
}

TEST_F(WebSocketSessionTest, APingFloodWhileTheStreamIsBlockedLeavesOnePong) {
  auto s = upgraded();
  pipe.write_room = 0;
  for (int i = 0; i < 1000; ++i)
    pipe.incoming += server_frame(Opcode::ping, "ping " + std::to_string(i));
  pipe.incoming += server_frame(Opcode::binary, "data");
  EXPECT_EQ(read_all(*s), "data");
  pipe.write_room = SIZE_MAX;
  EXPECT_TRUE(s->write(bytes("x")));
  // One pong was in flight when the stream blocked; of the 999 after it only
  // the last is answered.
  const auto frames = client_frames(pipe.written);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].payload, "ping 0");
  EXPECT_EQ(frames[1].opcode, Opcode::pong);
  EXPECT_EQ(frames[1].payload, "ping 999");
  EXPECT_EQ(frames[2].opcode, Opcode::binary);
  EXPECT_EQ(frames[2].payload, "x");
}

TEST_F(WebSocketSessionTest, CloseNotifySendsANormalCloseOnceEvenAfterBlocking) {
  auto s = upgraded();
  pipe.write_room = 3;
  EXPECT_EQ(s->close_notify().error(), errc::would_block);
  pipe.write_room = SIZE_MAX;
  EXPECT_TRUE(s->close_notify());
  EXPECT_TRUE(s->close_notify());
  const auto frames = client_frames(pipe.written);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, Opcode::close);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe8", 2));
}

TEST(WebSocketHost, ThePortIsLeftOutWhereItIsTheSchemes) {
  EXPECT_EQ(websocket_host("broker.test:80", false), "broker.test");
  EXPECT_EQ(websocket_host("broker.test:443", true), "broker.test");
  EXPECT_EQ(websocket_host("broker.test:443", false), "broker.test:443");
  EXPECT_EQ(websocket_host("[::1]:8080", true), "[::1]:8080");
  EXPECT_EQ(websocket_host("[::1]:80", false), "[::1]");
}

}  // namespace
}  // namespace sockkit::transport
