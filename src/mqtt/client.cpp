// SPDX-License-Identifier: MIT
// mqtt::Client: the Session driven on a ReconnectingClient's connection.
#include <algorithm>

#include "loop/dispose.hpp"
#include "loop/loop_access.hpp"
#include "mqtt/client_impl.hpp"

namespace sockkit::mqtt {

using namespace detail;

Status ClientImpl::init() {
  // One slot for each of the client's timers: none can be refused later.
  auto kept = loop_.reserve_timers(kTimers);
  if (!kept) return kept.error();
  timers_ = std::move(*kept);
  if (auto st = session_.restore(); !st) return st;
  ReconnectingOptions transport = settings_.transport;
  transport.heartbeat = {};  // keepalive is MQTT's own PINGREQ
  // MQTT over WebSockets offers the "mqtt" subprotocol, as the standard asks.
  if (SOCKKIT_WEBSOCKET && transport.websocket && transport.websocket->protocols.empty())
    transport.websocket->protocols = {"mqtt"};
  auto& limits = transport.limits;
  limits.max_pending_read =
      std::max<std::size_t>(limits.max_pending_read, settings_.max_packet_size + 5u);
  limits.high_watermark = std::min(limits.high_watermark, kQueueHighMark);
  // A PUBLISH is written whole once the queue is below kQueueHighMark: the
  // queue must take the largest the outbox admits, or it could never be sent.
  limits.max_write_queue = std::max(
      limits.max_write_queue,
      kQueueHighMark + std::min<std::size_t>(settings_.outbox_bytes, codec::kMaxRemainingLength) +
          (8 << 10));
  limits.low_watermark = std::min(limits.low_watermark, kQueueLowMark);
  auto link = ReconnectingClient::create(loop_, settings_.target, *this, std::move(transport));
  if (!link) return link.error();
  link_ = std::move(*link);
  return {};
}

void ClientImpl::retire() noexcept {
  retired_ = true;
  deadline_timer_.cancel();
  stop_timer_.cancel();
  for (SoonId* s : {&turn_soon_, &stop_soon_})
    if (*s != 0) loop_.cancel_soon(std::exchange(*s, 0));
  conn_ = nullptr;
  link_.reset();  // closes without DISCONNECT: the broker publishes the will
}

void ClientImpl::stop(UserPropertyStrings user_properties) noexcept {
  if (stopping_ || retired_) return;
  stopping_ = true;
  disconnect_user_properties_ = std::move(user_properties);
  // From the loop, not from inside stop(): what publish() queued leaves first,
  // and its completions reach the handler as always.
  stop_soon_ = loop_.soon([this] {
    stop_soon_ = 0;
    finish_stop();
  });
}

void ClientImpl::finish_stop() noexcept {
  if (conn_ == nullptr || !session_.is_connected()) return link_->stop();
  // What was published before stop() leaves first, as far as the connection's
  // queue and the in-flight window take it (turn() writes nothing new once
  // stopping, so that nothing follows DISCONNECT).
  pump_session();
  turn();
  if (retired_ || conn_ == nullptr) return;
  // DISCONNECT, once our QoS 2 flows are released.
  session_.stop(loop_.now(), std::move(disconnect_user_properties_));
  flush();
  if (conn_ == nullptr) return;
  if (session_.disconnect_written()) conn_->close_after_flush();
  if (conn_ == nullptr) return;  // flushed and closed already: on_close stopped the link
  stop_timer_.arm(timers_, kDisconnectFlush, [this] { link_->stop(); });
}

Result<std::uint64_t> ClientImpl::publish(std::string_view topic,
                                          std::span<const std::byte> payload, QoS qos, bool retain,
                                          const PublishProperties& properties) noexcept {
  auto id = session_.publish(topic, payload, qos, retain, properties, loop_.now());
  turn_soon();  // a drop report or the message itself: from the loop
  return id;
}

Status ClientImpl::subscribe(std::vector<Subscription> filters) noexcept {
  // Sent from the loop, never from inside subscribe(): a failing send ends the
  // connection, and its callbacks may destroy the client.
  auto st = session_.subscribe(std::move(filters));
  if (st) turn_soon();
  return st;
}

Status ClientImpl::unsubscribe(std::string_view filter,
                               const UserPropertyStrings& user_properties) noexcept {
  auto st = session_.unsubscribe(filter, user_properties);
  if (st) turn_soon();
  return st;
}

Status ClientImpl::reauthenticate() noexcept {
  auto st = session_.reauthenticate();
  if (st) turn_soon();  // written from the loop, as everything asked from outside
  return st;
}

void ClientImpl::on_open(Connection& c) {
  conn_ = &c;
  if (auto st = session_.connected(loop_.now()); !st) return c.close(st.error());
  flush();
  arm_deadline();
}

Result<std::size_t> ClientImpl::on_data(Connection& c, std::span<const std::byte> data) {
  if (retired_) return std::size_t{0};
  if (stopping_ && !session_.stopping()) {  // stop() was called: finish it before reading on
    if (stop_soon_ != 0) loop_.cancel_soon(std::exchange(stop_soon_, 0));
    finish_stop();
    if (retired_ || conn_ == nullptr) return std::size_t{0};
  }
  if (session_.disconnect_written()) return std::size_t{0};
  const bool draining = session_.stopping();
  auto used = session_.receive(data, loop_.now());
  if (!used) {
    deliver_events();                            // what came before the bad packet still counts
    if (!retired_ && conn_ != nullptr) flush();  // MQTT 5: the DISCONNECT saying why
    return used.error();
  }
  turn();
  if (retired_) return make_error_code(failure::stopped);
  if (draining && session_.disconnect_written()) c.close_after_flush();  // the last PUBCOMP went
  return used;
}

void ClientImpl::on_close(Connection& c, ErrorCode why) {
  if (&c != conn_) return;
  conn_ = nullptr;
  const errc cause = classify(why);
  session_.disconnected(cause == errc::peer_closed || cause == errc::connection_reset);
  deadline_timer_.cancel();
  if (stopping_) why = make_error_code(failure::stopped);  // our DISCONNECT, not the broker's
  user_.on_disconnected(why);
  if (retired_) return;
  deliver_events();  // a message given up on this hang-up
  if (retired_) return;
  if (why == make_error_code(reason::session_taken_over) && !settings_.reconnect_after_takeover &&
      !stopping_) {
    taken_over_ = true;
    return link_->stop();
  }
  if (stopping_) {
    if (stop_soon_ != 0) loop_.cancel_soon(std::exchange(stop_soon_, 0));
    stop_timer_.cancel();
    link_->stop();
  }
}

void ClientImpl::turn() noexcept {
  if (turn_soon_ != 0) loop_.cancel_soon(std::exchange(turn_soon_, 0));
  deliver_events();
  if (retired_) return;
  if (!stopping_) pump_session();
  flush();
  if (retired_) return;
  arm_deadline();
  if (session_.has_events()) turn_soon();  // completions of what was just written
}

void ClientImpl::pump_session() noexcept {
  if (conn_ == nullptr) return;
  const std::size_t queued = conn_->queued_bytes();
  session_.pump(queued < kQueueHighMark ? kQueueHighMark - queued : 0, loop_.now());
}

void ClientImpl::turn_soon() noexcept {
  if (turn_soon_ != 0 || retired_) return;
  turn_soon_ = loop_.soon([this] {
    turn_soon_ = 0;
    turn();
  });
}

void ClientImpl::deliver_events() noexcept {
  session_.take_events(batch_);
  for (const auto& e : batch_.events) {
    if (retired_) return;  // destroyed by an earlier event: the rest is moot
    switch (e.kind) {
      case SessionEvent::Kind::connected:
        user_.on_connected(e.session_present);
        break;
      case SessionEvent::Kind::message:
        user_.on_message(batch_.message(e));
        break;
      case SessionEvent::Kind::published:
        user_.on_published(e.id, e.result);
        break;
      case SessionEvent::Kind::subscribed: {
        const auto& s = batch_.subscriptions[e.subscription];
        user_.on_subscribed(s.asked, s.results);
        break;
      }
      case SessionEvent::Kind::dropped:
        user_.on_dropped(e.messages, e.bytes);
        break;
      case SessionEvent::Kind::reply:
        user_.on_reply(batch_.reply(e));
        break;
    }
  }
}

void ClientImpl::flush() noexcept {
  const auto out = session_.output();
  if (out.empty()) return;
  if (conn_ == nullptr) return session_.output_sent();
  auto st = conn_->send(out);
  session_.output_sent();
  // A send that meets a reset closes the connection (on_close clears conn_).
  if (!st && conn_ != nullptr) conn_->close(st.error());
}

void ClientImpl::arm_deadline() noexcept {
  deadline_timer_.cancel();
  const auto at = session_.next_deadline();
  if (!at || conn_ == nullptr) return;
  const auto wait = std::max(std::chrono::milliseconds(1),
                             std::chrono::ceil<std::chrono::milliseconds>(*at - loop_.now()));
  deadline_timer_.arm(timers_, wait, [this] {
    if (conn_ == nullptr) return;
    if (auto why = session_.advance(loop_.now())) return conn_->close(why);
    flush();
    if (!retired_) arm_deadline();
  });
}

Result<Client> Client::create(EventLoop& loop, Options settings, Handler& handler) {
  const bool bad =
      settings.target.empty() || settings.client_id.size() > 65535 ||
      !codec::valid_utf8(settings.client_id) ||
      (settings.client_id.empty() && !settings.clean_session && !codec::is_v5(settings.version)) ||
      (settings.version == Version::v3_1 &&
       (settings.client_id.empty() || settings.client_id.size() > 23)) ||
      (settings.will && (!codec::valid_topic_name(settings.will->topic) ||
                         static_cast<unsigned>(settings.will->qos) > 2)) ||
      settings.keepalive.count() < 0 || settings.keepalive.count() > 65535 ||
      settings.max_inflight == 0 || settings.receive_maximum == 0 ||
      settings.max_packet_size < 16 || settings.outbox_messages == 0 ||
      (settings.password && !settings.user_name && !codec::is_v5(settings.version));
  if (bad || (codec::kMqtt5 && !codec::valid_connect_properties(settings)))
    return make_error(std::errc::invalid_argument);
  if (!version_available(settings.version) ||
      (!codec::is_v5(settings.version) &&
       (codec::has_connect_properties(settings) || settings.authenticator != nullptr)))
    return make_error(std::errc::not_supported);
  auto impl = std::make_unique<Impl>(loop::LoopAccess::home(loop), std::move(settings), handler);
  if (auto st = impl->init(); !st) return st.error();
  return Client(std::move(impl));
}

Client::Client(Client&& other) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
  return loop::move_assign(*this, std::move(other));
}

Client::Client(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

Client::~Client() {
  if (!impl_) return;
  EventLoop& loop = impl_->loop();
  loop::dispose(loop, std::move(impl_));
}

void Client::start() noexcept {
  impl_->start();
}
void Client::stop() noexcept {
  impl_->stop();
}
void Client::stop(const UserPropertyStrings& user_properties) noexcept {
  impl_->stop(user_properties);
}
Result<std::uint64_t> Client::publish(std::string_view topic, std::span<const std::byte> payload,
                                      QoS qos, bool retain) noexcept {
  return impl_->publish(topic, payload, qos, retain, {});
}
Result<std::uint64_t> Client::publish(std::string_view topic, std::string_view payload, QoS qos,
                                      bool retain) noexcept {
  return publish(topic, std::as_bytes(std::span(payload.data(), payload.size())), qos, retain);
}
Result<std::uint64_t> Client::publish(std::string_view topic, std::span<const std::byte> payload,
                                      QoS qos, bool retain,
                                      const PublishProperties& properties) noexcept {
  return impl_->publish(topic, payload, qos, retain, properties);
}
Result<std::uint64_t> Client::publish(std::string_view topic, std::string_view payload, QoS qos,
                                      bool retain, const PublishProperties& properties) noexcept {
  return publish(topic, std::as_bytes(std::span(payload.data(), payload.size())), qos, retain,
                 properties);
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
Status Client::unsubscribe(std::string_view filter,
                           const UserPropertyStrings& user_properties) noexcept {
  return impl_->unsubscribe(filter, user_properties);
}
Status Client::reauthenticate() noexcept {
  return impl_->reauthenticate();
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
