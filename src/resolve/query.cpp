// SPDX-License-Identifier: MIT
#include "resolve/query.hpp"

#include <algorithm>

#include "sockkit/entropy.hpp"

namespace sockkit::resolve_detail {
namespace {

constexpr std::size_t kMaxTcpAnswer = 65535;

Result<std::uint16_t> random_u16() noexcept {
  std::array<std::byte, 2> b{};
  if (auto st = random_bytes(b); !st) return st.error();
  return static_cast<std::uint16_t>(std::to_integer<unsigned>(b[0]) << 8 |
                                    std::to_integer<unsigned>(b[1]));
}

/// A socket on a random port of the dynamic range (RFC 6335), for every stack:
/// lwIP hands out ephemeral ports in sequence, which a spoofer could predict.
Result<UdpSocket> bind_random_port(Family family) noexcept {
  for (int i = 0; i < 8; ++i) {
    auto r = random_u16();
    if (!r) return r.error();
    const auto port = static_cast<std::uint16_t>(49152 + *r % 16384);
    auto s =
        UdpSocket::bind(family == Family::ipv6 ? Endpoint::any_v6(port) : Endpoint::any_v4(port),
                        {.ipv6_only = family == Family::ipv6});
    if (s || s.error() != errc::address_in_use) return s;
  }
  return UdpSocket::bind(family == Family::ipv6 ? Endpoint::any_v6(0) : Endpoint::any_v4(0),
                         {.ipv6_only = family == Family::ipv6});
}

bool server_failed(dns::Rcode rcode) noexcept {
  return rcode != dns::Rcode::no_error && rcode != dns::Rcode::name_error;
}

}  // namespace

Query::Query(EventLoop& loop, TimerReservation& timers, ResolverStats& stats, QueryPlan plan,
             std::string name, dns::RecordType type, Done done)
    : loop_(loop),
      timers_(timers),
      stats_(stats),
      plan_(std::move(plan)),
      name_(std::move(name)),
      type_(type),
      done_(std::move(done)) {}

Query::~Query() {
  retire();
}

void Query::retire() noexcept {
  retired_ = true;
  timer_.cancel();
  if (later_ != 0) loop_.cancel_soon(later_);
  later_ = 0;
  for (auto& ch : channels_)
    ch.reset();  // safe inside the channel's own callback
  stop_tcp();
}

void Query::start() noexcept {
  if (plan_.servers.empty()) {
    last_error_ = make_error_code(failure::dns_server_failure);  // nobody to ask
    return later([this] { finish(last_error_, {}); });
  }
  if (plan_.rotate) {
    auto r = random_u16();
    first_server_ = r ? static_cast<unsigned>(*r % plan_.servers.size()) : 0;
  }
  next_try();
}

void Query::next_try() noexcept {
  timer_.cancel();
  const unsigned total = plan_.attempts * static_cast<unsigned>(plan_.servers.size());
  while (tries_ < total) {
    const Endpoint& server = plan_.servers[(first_server_ + tries_) % plan_.servers.size()];
    ++tries_;
    if (auto st = send_try(server); !st) {
      last_error_ = st.error();  // no route, no socket: the next server may do better
      continue;
    }
    return arm_timer();
  }
  // Every try is spent: a server's failure says more than silence.
  const ErrorCode why = last_error_ ? last_error_ : make_error_code(failure::resolve_timeout);
  later([this, why] { finish(why, {}); });  // never inside start()
}

void Query::later(Function<void()> fn) {
  if (later_ != 0) loop_.cancel_soon(later_);
  later_ = loop_.soon([this, fn = std::move(fn)] {
    later_ = 0;
    fn();
  });
}

Status Query::send_try(const Endpoint& server) noexcept {
  auto id = random_u16();
  if (!id) return id.error();
  std::array<std::byte, dns::kMaxQuery> query{};
  auto length = dns::write_query(query, *id, name_, type_);
  if (!length) return length.error();
  auto socket = bind_random_port(server.family());
  if (!socket) return socket.error();
  if (auto st = socket->connect(server); !st) return st;
  auto& slot = channels_[sent_count_ % channels_.size()];
  slot.reset();
  auto ch = UdpChannel::create(loop_, std::move(*socket), *this, {.max_datagram = 4096});
  if (!ch) return ch.error();
  slot = std::move(*ch);
  auto sent = slot->send(std::span(query.data(), *length));
  if (!sent) return sent.error();
  sent_[sent_count_++ % sent_.size()] = {server, *id};
  ++stats_.queries_sent;
  return {};
}

void Query::arm_timer() noexcept {
  timer_.arm(timers_, plan_.timeout, [this] {
    ++stats_.timeouts;
    stop_tcp();
    next_try();
  });
}

void Query::on_datagram(UdpChannel&, std::span<const std::byte> data, const Datagram& info) {
  if (retired_) return;
  const std::uint16_t id = dns::message_id(data);
  const bool asked =
      std::any_of(sent_.begin(), sent_.begin() + std::min(sent_count_, sent_.size()),
                  [&](const Sent& s) { return s.id == id && s.server == info.from; });
  if (!asked || info.truncated) {
    ++stats_.answers_rejected;  // not from a server asked, or not an id it was sent
    return;
  }
  accept_answer(data, id, info.from);
}

void Query::on_receive_error(UdpChannel& channel, ErrorCode why) {
  if (retired_ || why != errc::connection_refused || sent_count_ == 0) return;
  // Only the try in flight: an older try's refusal says nothing about this one.
  const auto& current = channels_[(sent_count_ - 1) % channels_.size()];
  if (!current || &*current != &channel) return;
  last_error_ = make_error_code(failure::dns_server_failure);  // nobody serves DNS there
  next_try();
}

void Query::accept_answer(std::span<const std::byte> message, std::uint16_t id,
                          const Endpoint& server) noexcept {
  if (!dns::answers_question(message, id, name_, type_)) {
    // Ignored, not fatal: a spoofer who guessed the id must not end the query.
    ++stats_.answers_rejected;
    last_error_ = make_error_code(failure::dns_malformed_answer);
    return;
  }
  auto answer = dns::parse_response(message, id, name_, type_);
  if (!answer) {
    // The server asked answered this question, unusably (a CNAME loop, a
    // broken record): waiting for its try to time out would gain nothing.
    ++stats_.answers_rejected;
    last_error_ = answer.error();
    stop_tcp();
    return next_try();
  }
  if (answer->truncated) {
    if (plan_.tcp_fallback && tcp_server_ == Endpoint{}) return start_tcp(server);
    last_error_ = make_error_code(failure::dns_malformed_answer);
    return next_try();
  }
  ++stats_.answers_accepted;
  if (server_failed(answer->rcode)) {
    last_error_ = make_error_code(failure::dns_server_failure);
    stop_tcp();
    return next_try();
  }
  finish_with(message, *answer, server);
}

void Query::start_tcp(const Endpoint& server) noexcept {
  timer_.cancel();
  auto id = random_u16();
  auto stream = id ? TcpStream::start_connect(server) : Result<TcpStream>(id.error());
  std::array<std::byte, dns::kMaxQuery> query{};
  auto length = id ? dns::write_query(query, *id, name_, type_) : Result<std::size_t>(id.error());
  if (!stream || !length) return tcp_failed(!stream ? stream.error() : length.error());
  tcp_ = std::move(*stream);
  tcp_server_ = server;
  tcp_id_ = *id;
  tcp_out_.assign({std::byte(*length >> 8), std::byte(*length & 0xff)});
  tcp_out_.insert(tcp_out_.end(), query.begin(),
                  query.begin() + static_cast<std::ptrdiff_t>(*length));
  tcp_out_done_ = 0;
  tcp_in_.clear();
  tcp_connecting_ = true;
  if (auto st = loop_.watch(tcp_.native_handle(), io::writable, this); !st)
    return tcp_failed(st.error());
  ++stats_.tcp_queries;
  ++stats_.queries_sent;
  arm_timer();
}

void Query::on_io(unsigned events) noexcept {
  if (retired_ || !tcp_.is_open()) return;
  if (tcp_connecting_) {
    if (auto ec = tcp_.take_pending_error()) return tcp_failed(ec);
    if (!(events & io::writable)) return;
    tcp_connecting_ = false;
  }
  while (tcp_out_done_ < tcp_out_.size()) {
    auto n = tcp_.send(std::span(tcp_out_).subspan(tcp_out_done_));
    if (!n) {
      if (n.error() == errc::would_block) return;
      return tcp_failed(n.error());
    }
    tcp_out_done_ += *n;
    if (tcp_out_done_ == tcp_out_.size()) (void)loop_.rewatch(tcp_.native_handle(), io::readable);
  }
  for (;;) {
    std::array<std::byte, 2048> chunk{};
    auto n = tcp_.receive(chunk);
    if (!n) {
      if (n.error() == errc::would_block) return;
      return tcp_failed(n.error());
    }
    if (*n == 0) return tcp_failed(make_error_code(failure::closed_by_peer));
    if (tcp_in_.size() + *n > 2 + kMaxTcpAnswer)
      return tcp_failed(make_error_code(failure::dns_malformed_answer));
    tcp_in_.insert(tcp_in_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
    if (tcp_in_.size() < 2) continue;
    const std::size_t want =
        std::to_integer<std::size_t>(tcp_in_[0]) << 8 | std::to_integer<std::size_t>(tcp_in_[1]);
    if (tcp_in_.size() < 2 + want) continue;
    if (tcp_in_.size() > 2 + want)
      return tcp_failed(make_error_code(failure::dns_malformed_answer));
    auto answer = dns::parse_response(std::span(tcp_in_).subspan(2), tcp_id_, name_, type_);
    const Endpoint server = tcp_server_;
    if (!answer || answer->truncated) {
      ++stats_.answers_rejected;
      return tcp_failed(make_error_code(failure::dns_malformed_answer));
    }
    stop_tcp();
    ++stats_.answers_accepted;
    if (server_failed(answer->rcode)) {
      last_error_ = make_error_code(failure::dns_server_failure);
      return next_try();
    }
    return finish_with(std::span(tcp_in_).subspan(2), *answer, server);
  }
}

void Query::tcp_failed(ErrorCode why) noexcept {
  last_error_ = why;
  stop_tcp();
  next_try();
}

void Query::stop_tcp() noexcept {
  if (tcp_.is_open()) {
    (void)loop_.unwatch(tcp_.native_handle());
    (void)tcp_.close();
  }
  tcp_connecting_ = false;
}

void Query::finish_with(std::span<const std::byte> message, const dns::Answer& answer,
                        const Endpoint& server) noexcept {
  Reply reply{answer, {}};
  reply.addresses.reserve(answer.address_count);
  dns::AddressWalk walk(message, answer);
  for (dns::AddressRecord a; walk.next(a);)
    reply.addresses.push_back(a);
  finish(std::move(reply), server);
}

void Query::finish(Result<Reply> reply, const Endpoint& server) noexcept {
  if (retired_) return;
  const Endpoint from = server;  // `server` may live in this query
  retire();
  Done done = std::move(done_);  // the callback may destroy this query
  done(std::move(reply), from);
}

}  // namespace sockkit::resolve_detail
