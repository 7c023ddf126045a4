// SPDX-License-Identifier: MIT
// A WebSocket client session over another session (the socket itself, or
// TLS): the upgrade, then the payload as binary frames out and any data
// frames in, pings answered, the close handshake done.
//
// Output keeps whole frames in order in one buffer: a data frame holds the
// caller's bytes until it is all written (as TLS does, the caller offers the
// same bytes again after would_block); a pong or a close waits for the frame
// before it, so only one of each is ever pending — a peer that floods pings
// while reading nothing gets one answer for the last, not a growing queue.
#include <algorithm>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "sockkit/entropy.hpp"
#include "sockkit/error.hpp"
#include "sockkit/event_loop.hpp"
#include "transport/transport.hpp"
#include "transport/websocket/codec.hpp"

namespace sockkit::transport {
namespace {

using ws::FrameHeader;
using ws::Opcode;

// Payload per data frame: large enough to cost little in headers, small
// enough that a frame in flight holds little memory.
constexpr std::size_t kMaxFramePayload = 16 * 1024;
// Read ahead of the frame being parsed (headers, control frames, small frames).
constexpr std::size_t kReadAhead = 2048;

class WebSocketSession final : public Session {
 public:
  WebSocketSession(std::unique_ptr<Session> inner, WebSocketOptions options, std::string host)
      : inner_(std::move(inner)), options_(std::move(options)), host_(std::move(host)) {}

  Status handshake() noexcept override;
  Result<std::size_t> read(std::span<std::byte> into) noexcept override;
  Result<std::size_t> write(std::span<const std::byte> data) noexcept override;
  Status close_notify() noexcept override;
  unsigned wants() const noexcept override { return wants_; }
  bool has_buffered_input() const noexcept override {
    return in_end_ > in_begin_ || inner_->has_buffered_input();
  }
  void release_buffers() noexcept override;
  bool is_tls() const noexcept override { return inner_->is_tls(); }
  TlsInfo info() const override { return inner_->info(); }
  failure timeout_reason() const noexcept override {
    return inner_ready_ ? failure::upgrade_timeout : inner_->timeout_reason();
  }

 private:
  std::size_t buffered() const noexcept { return in_end_ - in_begin_; }
  std::span<const std::byte> input() const noexcept { return {in_.data() + in_begin_, buffered()}; }
  Status fill(std::size_t limit) noexcept;
  Status flush() noexcept;
  Status append_frame(Opcode opcode, std::span<const std::byte> payload) noexcept;
  Result<ws::MaskKey> next_mask() noexcept;
  Result<std::size_t> on_control(const FrameHeader& h) noexcept;
  ErrorCode fail(failure why) noexcept;
  Status blocked(const Status& st) noexcept {
    if (!st && st.error() == errc::would_block) wants_ = inner_->wants();
    return st;
  }

  std::unique_ptr<Session> inner_;
  WebSocketOptions options_;
  std::string host_;
  std::string key_;  // Sec-WebSocket-Key, until the answer is checked
  std::vector<std::byte> in_;
  std::size_t in_begin_ = 0, in_end_ = 0;
  std::vector<std::byte> out_;
  std::size_t out_begin_ = 0;
  std::size_t committed_ = 0;       // caller's bytes inside the data frame being written
  std::uint64_t payload_left_ = 0;  // of the data frame being read
  std::array<std::byte, ws::kMaxControlPayload> pong_{};
  std::size_t pong_size_ = 0;
  std::array<std::byte, 64> masks_{};  // random bytes, drawn 16 keys at a time
  std::size_t masks_used_ = sizeof(masks_);
  std::uint16_t close_code_ = 0;  // the close to send (0: none pending)
  std::uint16_t peer_close_code_ = 0;
  unsigned wants_ = io::writable;
  bool inner_ready_ = false, upgraded_ = false, request_queued_ = false;
  bool pong_pending_ = false;
  bool in_message_ = false;  // a fragmented data message awaits continuations
  bool close_sent_ = false, peer_closed_ = false, broken_ = false;
};

Result<ws::MaskKey> WebSocketSession::next_mask() noexcept {
  if (masks_used_ == masks_.size()) {
    if (auto st = random_bytes(masks_); !st) return st.error();
    masks_used_ = 0;
  }
  ws::MaskKey key;
  std::memcpy(key.data(), masks_.data() + masks_used_, key.size());
  masks_used_ += key.size();
  return key;
}

Status WebSocketSession::append_frame(Opcode opcode, std::span<const std::byte> payload) noexcept {
  auto mask = next_mask();  // a client masks every frame (RFC 6455 §5.3)
  if (!mask) return mask.error();
  std::array<std::byte, ws::kMaxHeader> header;
  const std::size_t header_size = ws::put_header(header, opcode, true, payload.size(), &*mask);
  if (out_begin_ == out_.size()) {
    out_.clear();
    out_begin_ = 0;
  }
  const std::size_t at = out_.size();
  const std::size_t needed = at + header_size + payload.size();
  out_.reserve(needed);
  out_.insert(out_.end(), header.begin(),
              header.begin() + static_cast<std::ptrdiff_t>(header_size));
  out_.insert(out_.end(), payload.begin(), payload.end());
  ws::apply_mask(std::span(out_).subspan(at + header_size), *mask, 0);
  return {};
}

Status WebSocketSession::flush() noexcept {
  for (;;) {
    while (out_begin_ < out_.size()) {
      auto n = inner_->write(std::span(out_).subspan(out_begin_));
      if (!n) return blocked(n.error());
      out_begin_ += *n;
    }
    // The frame before them is out: a pending pong, then a pending close.
    if (pong_pending_) {
      pong_pending_ = false;
      if (auto st = append_frame(Opcode::pong, std::span(pong_).first(pong_size_)); !st) return st;
    } else if (close_code_ != 0 && !close_sent_) {
      const std::array<std::byte, 2> code{std::byte{static_cast<std::uint8_t>(close_code_ >> 8)},
                                          std::byte{static_cast<std::uint8_t>(close_code_)}};
      if (auto st = append_frame(Opcode::close, code); !st) return st;
      close_sent_ = true;
    } else {
      return {};
    }
  }
}

Status WebSocketSession::fill(std::size_t limit) noexcept {
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_.size() - in_end_ < 256 && in_begin_ > 0) {  // compact
    std::memmove(in_.data(), in_.data() + in_begin_, buffered());
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_end_ == in_.size()) {
    if (in_.size() >= limit) return fail(failure::websocket_protocol_error);
    in_.resize(std::min(limit, std::max(kReadAhead, in_.size() * 2)));
  }
  auto n = inner_->read(std::span(in_).subspan(in_end_));
  if (!n) return blocked(n.error());
  if (*n == 0) return make_error_code(failure::closed_by_peer);  // EOF without a close frame
  in_end_ += *n;
  return {};
}

ErrorCode WebSocketSession::fail(failure why) noexcept {
  // A peer that broke the protocol is told so (1002) before the socket closes.
  if (upgraded_ && !broken_ && close_code_ == 0) {
    close_code_ = ws::kCloseProtocolError;
    (void)flush();
  }
  broken_ = true;
  return make_error_code(why);
}

Status WebSocketSession::handshake() noexcept {
  if (!inner_ready_) {
    if (auto st = inner_->handshake(); !st) return blocked(st);
    inner_ready_ = true;
  }
  if (!request_queued_) {
    std::array<std::byte, 16> nonce;
    if (auto st = random_bytes(nonce); !st) return st;
    key_ = ws::base64(nonce);
    const std::string request = ws::upgrade_request(options_, host_, key_);
    out_.assign(reinterpret_cast<const std::byte*>(request.data()),
                reinterpret_cast<const std::byte*>(request.data() + request.size()));
    request_queued_ = true;
  }
  if (auto st = flush(); !st) return st;
  for (;;) {
    const std::string_view received(reinterpret_cast<const char*>(in_.data()), in_end_);
    if (const std::size_t head = ws::head_size(received); head > 0) {
      std::string chosen;
      if (auto st = ws::check_upgrade_response(received.substr(0, head), key_, options_, chosen);
          !st)
        return st;
      in_begin_ = head;  // what follows the head is frames already
      upgraded_ = true;
      key_.clear();
      key_.shrink_to_fit();
      return {};
    }
    auto st = fill(options_.max_response_head);
    if (!st) {
      if (st.error() == make_error_code(failure::websocket_protocol_error) ||
          st.error() == make_error_code(failure::closed_by_peer))
        return make_error_code(failure::websocket_refused);  // a head too long, or none
      return st;
    }
  }
}

Result<std::size_t> WebSocketSession::on_control(const FrameHeader& h) noexcept {
  const auto size = static_cast<std::size_t>(h.payload_size);  // a control frame's: <= 125
  auto payload = std::span(in_).subspan(in_begin_ + h.header_size, size);
  in_begin_ += h.header_size + size;
  if (h.opcode == Opcode::ping) {
    std::memcpy(pong_.data(), payload.data(), payload.size());  // the last ping's
    pong_size_ = payload.size();
    pong_pending_ = true;
    if (auto st = flush(); !st && st.error() != errc::would_block) return st.error();
    return make_error(std::errc::operation_would_block);  // nothing for the caller yet: read on
  }
  if (h.opcode == Opcode::pong)
    return make_error(std::errc::operation_would_block);  // unasked: ignored (§5.5.3)
  // Close: answer with the same code; read() then reports the end of the stream.
  std::uint16_t code = 1005;  // none given
  if (payload.size() == 1) return fail(failure::websocket_protocol_error);
  if (payload.size() >= 2) {
    code = static_cast<std::uint16_t>(std::to_integer<unsigned>(payload[0]) << 8 |
                                      std::to_integer<unsigned>(payload[1]));
    const bool valid =
        (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006) ||
        (code >= 3000 && code <= 4999);
    if (!valid) return fail(failure::websocket_protocol_error);
  }
  peer_closed_ = true;
  peer_close_code_ = code;
  if (close_code_ == 0) close_code_ = code == 1005 ? ws::kCloseNormal : code;
  (void)flush();  // best effort: the peer may close the socket after its close
  return make_error(std::errc::operation_would_block);  // read() reports the end
}

Result<std::size_t> WebSocketSession::read(std::span<std::byte> into) noexcept {
  if (broken_) return make_error_code(failure::websocket_protocol_error);
  if (auto st = flush(); !st && st.error() != errc::would_block) return st.error();
  for (;;) {
    if (peer_closed_) {
      if (peer_close_code_ == ws::kCloseNormal || peer_close_code_ == ws::kCloseGoingAway ||
          peer_close_code_ == 1005)
        return std::size_t{0};
      return make_error_code(failure::websocket_closed);
    }
    if (payload_left_ > 0) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, into.size()));
      std::size_t n;
      if (buffered() > 0) {
        n = std::min(want, buffered());
        std::memcpy(into.data(), in_.data() + in_begin_, n);
        in_begin_ += n;
      } else {  // straight into the caller's buffer
        auto got = inner_->read(into.first(want));
        if (!got) return blocked(got.error()).error();
        if (*got == 0) return make_error_code(failure::closed_by_peer);
        n = *got;
      }
      payload_left_ -= n;
      return n;
    }
    auto header = ws::parse_header(input());
    if (!header) {
      if (header.error() != errc::would_block) return fail(failure::websocket_protocol_error);
      if (auto st = fill(kReadAhead); !st) return st.error();
      continue;
    }
    const FrameHeader& h = *header;
    if (h.masked) return fail(failure::websocket_protocol_error);  // servers never mask
    if (ws::is_control(h.opcode)) {
      if (buffered() < h.header_size + h.payload_size) {
        if (auto st = fill(kReadAhead); !st) return st.error();
        continue;
      }
      auto r = on_control(h);
      if (!r && r.error() == errc::would_block) continue;
      return r;
    }
    // Data: a new message only when none is open; continuations only inside one.
    if ((h.opcode == Opcode::continuation) != in_message_)
      return fail(failure::websocket_protocol_error);
    in_message_ = !h.fin;
    in_begin_ += h.header_size;
    payload_left_ = h.payload_size;
  }
}

Result<std::size_t> WebSocketSession::write(std::span<const std::byte> data) noexcept {
  if (broken_) return make_error_code(failure::websocket_protocol_error);
  if (close_code_ != 0) return make_error(std::errc::not_connected);
  if (committed_ == 0) {
    if (auto st = flush(); !st) return st.error();  // a pong first, if one waits
    if (data.empty()) return std::size_t{0};
    committed_ = std::min(data.size(), kMaxFramePayload);
    if (auto st = append_frame(Opcode::binary, data.first(committed_)); !st) {
      committed_ = 0;
      return st.error();
    }
  }
  if (auto st = flush(); !st) return st.error();
  return std::exchange(committed_, 0);
}

Status WebSocketSession::close_notify() noexcept {
  if (!upgraded_) return inner_->close_notify();
  if (close_code_ == 0) close_code_ = ws::kCloseNormal;
  if (auto st = flush(); !st) return st;
  return blocked(inner_->close_notify());
}

void WebSocketSession::release_buffers() noexcept {
  if (buffered() == 0 && payload_left_ == 0) {
    in_ = {};
    in_begin_ = in_end_ = 0;
  }
  if (out_begin_ == out_.size()) {
    out_ = {};
    out_begin_ = 0;
  }
  inner_->release_buffers();
}

}  // namespace

Result<std::unique_ptr<Session>> make_websocket_session(std::unique_ptr<Session> inner,
                                                        const WebSocketOptions& options,
                                                        std::string host) noexcept {
  if (!inner) return make_error(std::errc::not_enough_memory);
  if (auto st = check_websocket_options(options); !st) return st.error();
  std::unique_ptr<Session> session(
      new (std::nothrow) WebSocketSession(std::move(inner), options, std::move(host)));
  if (!session) return make_error(std::errc::not_enough_memory);
  return session;
}

}  // namespace sockkit::transport
