// SPDX-License-Identifier: MIT
// The MQTT client's connection side: CONNECT and its deadline, CONNACK, the
// dispatch of what arrives, keepalive, subscriptions and stop(); and the
// public Client. The publications' exchange is in session.cpp.
#include <algorithm>
#include <array>

#include "mqtt/client_impl.hpp"
#include "net/dispose.hpp"

namespace sockkit::mqtt {

using namespace detail;

Status ClientImpl::init() {
  // One slot for each of the client's timers: none can be refused later.
  auto kept = loop_.reserve_timers(kTimers);
  if (!kept) return kept.error();
  timers_ = std::move(*kept);
  if (auto st = outbox_.restore(); !st) return st;
  ClientSettings transport = settings_.transport;
  transport.heartbeat = {};  // keepalive is MQTT's own PINGREQ
  auto& limits = transport.limits;
  limits.max_pending_read =
      std::max<std::size_t>(limits.max_pending_read, settings_.max_packet_size + 5u);
  limits.high_watermark = std::min(limits.high_watermark, kQueueHighMark);
  limits.low_watermark = std::min(limits.low_watermark, kQueueLowMark);
  auto link = ReconnectingClient::create(loop_, settings_.target, *this, std::move(transport));
  if (!link) return link.error();
  link_ = std::move(*link);
  return {};
}

void ClientImpl::retire() noexcept {
  retired_ = true;
  cancel_timers();
  cancel_soon(pump_soon_);
  cancel_soon(stop_soon_);
  cancel_soon(drop_soon_);
  cancel(stop_timer_);
  conn_ = nullptr;
  link_.reset();  // closes without DISCONNECT: the broker publishes the will
}

void ClientImpl::stop() noexcept {
  if (stopping_ || retired_) return;
  stopping_ = true;
  // From the loop, not from inside stop(): what publish() queued leaves first,
  // and its completions reach the handler as always.
  cancel_soon(pump_soon_);
  stop_soon_ = loop_.soon([this] {
    stop_soon_ = 0;
    finish_stop();
  });
}

void ClientImpl::finish_stop() noexcept {
  if (conn_ == nullptr || phase_ != Phase::connected) return link_->stop();
  pump();
  if (retired_ || conn_ == nullptr) return;
  if (auto n = codec::write_disconnect(settings_.version, 0, scratch(2))) send(*n);
  if (conn_ == nullptr) return;
  conn_->close_after_flush();
  if (conn_ == nullptr) return;  // flushed and closed already: on_close stopped the link
  stop_timer_ = timers_.add_timer(kDisconnectFlush, [this] {
    stop_timer_ = 0;
    link_->stop();
  });
}

Status ClientImpl::subscribe(std::vector<Subscription> filters) noexcept {
  if (filters.empty()) return std::make_error_code(std::errc::invalid_argument);
  for (const auto& f : filters)
    if (!codec::valid_topic_filter(f.filter) || static_cast<unsigned>(f.qos) > 2)
      return std::make_error_code(std::errc::invalid_argument);
  for (const auto& f : filters) {
    auto same = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                             [&](const Subscription& s) { return s.filter == f.filter; });
    if (same != subscriptions_.end())
      *same = f;
    else
      subscriptions_.push_back(f);
  }
  // Sent from the loop, never from inside subscribe(): a failing send ends the
  // connection, and its callbacks may destroy the client.
  unsent_.push_back({.packet_id = 0, .subscribe = true, .asked = std::move(filters)});
  schedule_pump();
  return {};
}

Status ClientImpl::unsubscribe(std::string_view filter) noexcept {
  if (!codec::valid_topic_filter(filter)) return std::make_error_code(std::errc::invalid_argument);
  std::erase_if(subscriptions_, [&](const Subscription& s) { return s.filter == filter; });
  unsent_.push_back(
      {.packet_id = 0, .subscribe = false, .asked = {{.filter = std::string(filter)}}});
  schedule_pump();
  return {};
}

void ClientImpl::on_open(Connection& c) {
  conn_ = &c;
  phase_ = Phase::awaiting_connack;
  ping_outstanding_ = false;
  last_received_ = loop_.now();
  aliases_in_.assign(settings_.topic_alias_maximum, std::string());
  aliases_out_.clear();
  const bool v5 = settings_.version == Version::v5;
  const codec::Connect connect{
      .version = settings_.version,
      .client_id = client_id_,
      .clean = settings_.clean_session,
      .keepalive_s = static_cast<std::uint16_t>(settings_.keepalive.count()),
      .user_name = settings_.user_name,
      .password = settings_.password,
      .will = settings_.will ? &*settings_.will : nullptr,
      .session_expiry = v5 ? static_cast<std::uint32_t>(settings_.session_expiry.count()) : 0,
      .receive_maximum = v5 ? settings_.receive_maximum : std::uint16_t{0},
      .maximum_packet_size = v5 ? settings_.max_packet_size : 0,
      .topic_alias_maximum = v5 ? settings_.topic_alias_maximum : std::uint16_t{0},
  };
  std::size_t size = 64 + client_id_.size() + settings_.user_name.value_or("").size() +
                     settings_.password.value_or("").size();
  if (settings_.will) size += settings_.will->topic.size() + settings_.will->payload.size();
  auto n = codec::write_connect(connect, scratch(size));
  if (!n) return c.close(n.error());
  send(*n);
  connack_timer_ = timers_.add_timer(settings_.connack_timeout, [this] {
    connack_timer_ = 0;
    if (conn_ != nullptr) conn_->close(make_error_code(reason::connack_timeout));
  });
}

Result<std::size_t> ClientImpl::on_data(Connection&, std::span<const std::byte> data) {
  std::size_t used = 0;
  while (!retired_ && conn_ != nullptr && !stopping_) {
    codec::FixedHeader h;
    switch (codec::frame(data.subspan(used), settings_.max_packet_size, h)) {
      case codec::Frame::need_more:
        return used;
      case codec::Frame::malformed:
        return make_error_code(reason::malformed_packet);
      case codec::Frame::too_large:
        return make_error_code(reason::packet_too_large);
      case codec::Frame::complete:
        break;
    }
    const auto body = data.subspan(used + h.header_size, h.remaining);
    used += h.total();
    last_received_ = loop_.now();
    ping_outstanding_ = false;  // any packet shows the broker is alive
    if (auto ec = handle(h, body)) return ec;
  }
  return used;
}

void ClientImpl::on_close(Connection& c, std::error_code why) {
  if (&c != conn_) return;
  conn_ = nullptr;
  phase_ = Phase::offline;
  cancel_timers();
  if (stopping_) why = make_error_code(failure::stopped);  // our DISCONNECT, not the broker's
  user_.on_disconnected(why);
  if (retired_) return;
  if (stopping_) {
    cancel_soon(stop_soon_);
    cancel(stop_timer_);
    link_->stop();
  }
}

void ClientImpl::on_connect_failed(const Endpoint&, std::error_code why) {
  user_.on_connect_failed(why);
}

std::span<std::byte> ClientImpl::scratch(std::size_t at_least) {
  if (scratch_.size() < at_least) scratch_.resize(at_least);  // grows once, then reused
  return scratch_;
}

void ClientImpl::send(std::size_t n) noexcept {
  if (conn_ == nullptr) return;
  last_sent_ = loop_.now();
  // A send that meets a reset closes the connection itself (on_close clears conn_).
  if (auto st = conn_->send(std::span(scratch_.data(), n)); !st && conn_ != nullptr)
    conn_->close(st.error());
}

void ClientImpl::cancel_timers() noexcept {
  cancel(connack_timer_);
  cancel(keepalive_timer_);
}

std::error_code ClientImpl::handle(const codec::FixedHeader& h, std::span<const std::byte> body) {
  const Version v = settings_.version;
  if (phase_ == Phase::awaiting_connack && h.type != PacketType::connack) return unexpected();
  switch (h.type) {
    case PacketType::connack: {
      if (phase_ != Phase::awaiting_connack) return unexpected();
      auto ack = codec::read_connack(v, h, body);
      if (!ack) return ack.error();
      if (ack->code != 0) return make_error_code(static_cast<reason>(ack->code));
      return on_connack(*ack);
    }
    case PacketType::publish:
      return on_publish(h, body);
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubcomp: {
      auto ack = codec::read_ack(v, h, body);
      if (!ack) return ack.error();
      return on_ack(h.type, *ack);
    }
    case PacketType::pubrel: {
      auto ack = codec::read_ack(v, h, body);
      if (!ack) return ack.error();
      std::erase(incoming_qos2_, ack->packet_id);
      if (auto n = codec::write_ack(v, PacketType::pubcomp, ack->packet_id, 0, scratch(8)))
        send(*n);
      return {};
    }
    case PacketType::suback: {
      auto ack = codec::read_suback(v, h, body);
      if (!ack) return ack.error();
      return on_suback(*ack);
    }
    case PacketType::unsuback: {
      auto ack = codec::read_ack(v, h, body);
      if (!ack) return ack.error();
      std::erase_if(requests_, [&](const Request& r) {
        return !r.subscribe && r.packet_id == ack->packet_id;
      });
      return {};
    }
    case PacketType::pingresp:
      if (h.remaining != 0 || h.flags != 0) return make_error_code(reason::malformed_packet);
      return {};
    case PacketType::disconnect: {
      auto d = codec::read_disconnect(v, h, body);
      if (!d) return d.error();
      return d->code == 0 ? make_error_code(failure::closed_by_peer) : code_of(d->code);
    }
    default:
      return unexpected();
  }
}

std::error_code ClientImpl::on_connack(const codec::Connack& ack) {
  cancel(connack_timer_);
  phase_ = Phase::connected;
  ++stats_.connects;
  const auto& p = ack.properties;
  send_window_ = std::min<std::uint16_t>(settings_.max_inflight, p.receive_maximum.value_or(65535));
  broker_max_packet_ = p.maximum_packet_size.value_or(codec::kMaxRemainingLength + 5);
  broker_max_qos_ = p.maximum_qos.value_or(2);
  retain_available_ = p.retain_available.value_or(true);
  alias_limit_ = settings_.use_topic_aliases
                     ? std::min<std::uint16_t>(p.topic_alias_maximum.value_or(0), kMaxAliasesOut)
                     : 0;
  keepalive_ =
      p.server_keep_alive ? std::chrono::seconds(*p.server_keep_alive) : settings_.keepalive;
  if (p.assigned_client_id) client_id_.assign(*p.assigned_client_id);

  if (ack.session_present)
    resume();
  else
    start_fresh_session();
  if (retired_) return {};
  arm_keepalive();
  user_.on_connected(ack.session_present);
  if (retired_ || phase_ != Phase::connected) return {};
  pump();
  return {};
}

std::error_code ClientImpl::on_suback(const codec::Suback& ack) {
  auto it = std::find_if(requests_.begin(), requests_.end(), [&](const Request& r) {
    return r.subscribe && r.packet_id == ack.packet_id;
  });
  if (it == requests_.end()) return {};
  const Request request = std::move(*it);
  requests_.erase(it);
  if (ack.codes.size() != request.asked.size()) return make_error_code(reason::protocol_error);
  std::vector<std::error_code> results;
  for (auto b : ack.codes) {
    const auto code = std::to_integer<std::uint8_t>(b);
    results.push_back(code == 0x80 && settings_.version == Version::v3_1_1
                          ? make_error_code(reason::unspecified_error)
                          : code_of(code));
  }
  user_.on_subscribed(request.asked, results);
  return {};
}

void ClientImpl::send_subscribe(const std::vector<Subscription>& filters) {
  for (std::size_t first = 0; first < filters.size(); first += codec::kMaxSubackCodes) {
    const std::size_t count = std::min(codec::kMaxSubackCodes, filters.size() - first);
    std::array<codec::SubscribeFilter, codec::kMaxSubackCodes> wire;
    std::size_t bytes = 16;
    for (std::size_t i = 0; i < count; ++i) {
      const auto& f = filters[first + i];
      wire[i] = {.filter = f.filter, .qos = f.qos, .no_local = f.no_local};
      bytes += f.filter.size() + 3;
    }
    Request r{.packet_id = next_packet_id(), .subscribe = true, .asked = {}};
    r.asked.assign(filters.begin() + static_cast<std::ptrdiff_t>(first),
                   filters.begin() + static_cast<std::ptrdiff_t>(first + count));
    auto n = codec::write_subscribe(settings_.version, r.packet_id, std::span(wire.data(), count),
                                    scratch(bytes));
    if (!n) continue;
    requests_.push_back(std::move(r));
    send(*n);
  }
}

void ClientImpl::send_unsubscribe(std::string filter) {
  Request r{.packet_id = next_packet_id(), .subscribe = false, .asked = {}};
  const std::string_view one[] = {filter};
  auto n =
      codec::write_unsubscribe(settings_.version, r.packet_id, one, scratch(filter.size() + 16));
  if (!n) return;
  r.asked.push_back({.filter = std::move(filter)});
  requests_.push_back(std::move(r));
  send(*n);
}

void ClientImpl::arm_keepalive() {
  cancel(keepalive_timer_);
  if (keepalive_.count() == 0 || conn_ == nullptr) return;
  const auto now = loop_.now();
  Clock::time_point due;
  if (ping_outstanding_) {
    due = ping_deadline_;
  } else {
    due = std::min(last_sent_, last_received_) + keepalive_;
    if (phase_ != Phase::connected) due = now + keepalive_;
  }
  const auto wait = std::max(milliseconds(1), std::chrono::ceil<milliseconds>(due - now));
  keepalive_timer_ = timers_.add_timer(wait, [this] {
    keepalive_timer_ = 0;
    check_keepalive();
  });
}

void ClientImpl::check_keepalive() {
  if (conn_ == nullptr || phase_ != Phase::connected) return;
  const auto now = loop_.now();
  if (ping_outstanding_ && now >= ping_deadline_) {
    conn_->close(make_error_code(reason::ping_timeout));
    return;
  }
  if (!ping_outstanding_ &&
      (now - last_sent_ >= keepalive_ || now - last_received_ >= keepalive_)) {
    if (auto n = codec::write_pingreq(scratch(2))) send(*n);
    ping_outstanding_ = true;
    ping_deadline_ = now + keepalive_ / 2;
  }
  arm_keepalive();
}

Result<Client> Client::create(EventLoop& loop, Settings settings, Handler& handler) {
  const bool bad =
      settings.target.empty() || settings.client_id.size() > 65535 ||
      !codec::valid_utf8(settings.client_id) ||
      (settings.client_id.empty() && !settings.clean_session &&
       settings.version == Version::v3_1_1) ||
      (settings.will && (!codec::valid_topic_name(settings.will->topic) ||
                         static_cast<unsigned>(settings.will->qos) > 2)) ||
      settings.keepalive.count() < 0 || settings.keepalive.count() > 65535 ||
      settings.max_inflight == 0 || settings.receive_maximum == 0 ||
      settings.max_packet_size < 16 || settings.outbox_messages == 0 ||
      (settings.password && !settings.user_name && settings.version == Version::v3_1_1);
  if (bad) return std::make_error_code(std::errc::invalid_argument);
  auto impl =
      std::make_unique<ClientImpl>(sockkit::detail::home_loop(loop), std::move(settings), handler);
  if (auto st = impl->init(); !st) return st.error();
  return Client(std::move(impl));
}

Client::Client(Client&& other) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
  return net::move_assign(*this, std::move(other));
}

Client::Client(std::unique_ptr<ClientImpl> impl) noexcept : impl_(std::move(impl)) {}

Client::~Client() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop();
  net::dispose(loop, std::move(impl_));
}

void Client::start() noexcept {
  impl_->start();
}
void Client::stop() noexcept {
  impl_->stop();
}
Result<std::uint64_t> Client::publish(std::string_view topic, std::span<const std::byte> payload,
                                      QoS qos, bool retain) noexcept {
  return impl_->publish(topic, payload, qos, retain);
}
Result<std::uint64_t> Client::publish(std::string_view topic, std::string_view payload, QoS qos,
                                      bool retain) noexcept {
  return impl_->publish(topic, std::as_bytes(std::span(payload.data(), payload.size())), qos,
                        retain);
}
Status Client::subscribe(std::vector<Subscription> filters) noexcept {
  return impl_->subscribe(std::move(filters));
}
Status Client::subscribe(std::string_view filter, QoS qos) noexcept {
  return impl_->subscribe({Subscription{.filter = std::string(filter), .qos = qos}});
}
Status Client::unsubscribe(std::string_view filter) noexcept {
  return impl_->unsubscribe(filter);
}
bool Client::connected() const noexcept {
  return impl_->connected();
}
const std::string& Client::client_id() const noexcept {
  return impl_->client_id();
}
Stats Client::stats() const noexcept {
  return impl_->stats();
}

}  // namespace sockkit::mqtt
