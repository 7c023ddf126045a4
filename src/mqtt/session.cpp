// SPDX-License-Identifier: MIT
// The MQTT client's publications: publish() into the outbox, the in-flight
// window, PUBACK / PUBREC / PUBREL / PUBCOMP both ways, retransmission on a
// resumed session and a fresh start on a new one.
#include <algorithm>
#include <utility>

#include "mqtt/client_impl.hpp"

namespace sockkit::mqtt {

using namespace detail;

Result<std::uint64_t> ClientImpl::publish(std::string_view topic,
                                          std::span<const std::byte> payload, QoS qos,
                                          bool retain) noexcept {
  if (!codec::valid_topic_name(topic) || static_cast<unsigned>(qos) > 2)
    return std::make_error_code(std::errc::invalid_argument);
  const codec::Publish probe{.topic = topic, .payload = payload, .qos = qos, .packet_id = 1};
  if (codec::publish_size(settings_.version, probe) > codec::kMaxRemainingLength)
    return make_error_code(reason::packet_too_large);
  Pending p;
  p.id = outbox_.next_id();
  p.topic.assign(topic);
  p.payload.assign(payload.begin(), payload.end());
  p.qos = qos;
  p.retain = retain;
  const std::uint64_t id = p.id;
  Status stored;
  const auto dropped = outbox_.push(std::move(p), stored);
  if (!stored) {  // not kept durably: refuse rather than promise
    outbox_.erase(outbox_.messages().end() - 1);
    return stored.error();
  }
  if (dropped.messages > 0) report_dropped(dropped.messages, dropped.bytes);
  if (dropped.refused_new) return failure::outbox_full;
  schedule_pump();
  return id;
}

void ClientImpl::resume() {
  for (auto& m : outbox_.messages()) {
    if (m.stage == Stage::published) {
      write_publish(m, true);
      ++stats_.retransmitted;
    } else if (m.stage == Stage::released) {
      if (auto n =
              codec::write_ack(settings_.version, PacketType::pubrel, m.packet_id, 0, scratch(8)))
        send(*n);
      ++stats_.retransmitted;
    }
  }
  auto unanswered = std::move(requests_);
  requests_.clear();
  for (auto& r : unanswered) {
    if (r.subscribe)
      send_subscribe(r.asked);
    else
      send_unsubscribe(r.asked.front().filter);
  }
}

void ClientImpl::start_fresh_session() {
  incoming_qos2_.clear();
  requests_.clear();
  unsent_.clear();  // every subscription is made again below
  auto& messages = outbox_.messages();
  for (std::size_t i = 0; i < messages.size();) {
    Pending& m = messages[i];
    if (m.stage == Stage::released) {
      // PUBREC came, PUBREL did not complete: the broker that took the message
      // has lost it with the session. Sending it again could duplicate it.
      complete(i, make_error_code(reason::session_not_resumed));
      if (retired_) return;
      continue;
    }
    if (m.stage == Stage::published) {
      outbox_.set_stage(m, Stage::queued);
      m.packet_id = 0;
      outbox_.changed(m);
    }
    ++i;
  }
  if (!subscriptions_.empty()) send_subscribe(subscriptions_);
}

void ClientImpl::report_dropped(std::size_t messages, std::size_t bytes) {
  stats_.dropped_messages += messages;
  stats_.dropped_bytes += bytes;
  unreported_drops_.first += messages;
  unreported_drops_.second += bytes;
  if (drop_soon_ != 0) return;
  // From the loop, not from inside publish(): the handler may destroy the client.
  drop_soon_ = loop_.soon([this] {
    drop_soon_ = 0;
    const auto [n, b] = std::exchange(unreported_drops_, {0, 0});
    user_.on_dropped(n, b);
  });
}

void ClientImpl::schedule_pump() {
  if (pump_soon_ != 0 || phase_ != Phase::connected || stopping_ || retired_) return;
  // Not from inside publish(): completions then always arrive from the loop.
  pump_soon_ = loop_.soon([this] {
    pump_soon_ = 0;
    pump();
  });
}

void ClientImpl::pump() {
  // SUBSCRIBE and UNSUBSCRIBE first, in the order they were asked for.
  while (!unsent_.empty() && phase_ == Phase::connected && conn_ != nullptr && !retired_) {
    Request r = std::move(unsent_.front());
    unsent_.erase(unsent_.begin());
    if (r.subscribe)
      send_subscribe(r.asked);
    else
      send_unsubscribe(r.asked.front().filter);
  }
  auto& messages = outbox_.messages();
  for (std::size_t i = 0; i < messages.size();) {
    if (phase_ != Phase::connected || retired_ || conn_ == nullptr) return;
    if (conn_->queued_bytes() >= kQueueHighMark) return;  // on_drain resumes
    Pending& m = messages[i];
    if (m.stage != Stage::queued) {
      ++i;
      continue;
    }
    if (m.qos != QoS::at_most_once && outbox_.inflight() >= send_window_) return;
    std::error_code refused;
    if (static_cast<std::uint8_t>(m.qos) > broker_max_qos_)
      refused = make_error_code(reason::qos_not_supported);
    else if (m.retain && !retain_available_)
      refused = make_error_code(reason::retain_not_supported);
    else if (codec::publish_size(
                 settings_.version,
                 {.topic = m.topic, .payload = m.payload, .qos = m.qos, .packet_id = 1}) >
             broker_max_packet_)
      refused = make_error_code(reason::packet_too_large);
    if (refused) {
      complete(i, refused);
      continue;
    }
    if (m.qos == QoS::at_most_once) {
      write_publish(m, false);
      complete(i, {});
      continue;
    }
    m.packet_id = next_packet_id();
    outbox_.set_stage(m, Stage::published);
    outbox_.changed(m);
    write_publish(m, false);
    ++i;
  }
}

void ClientImpl::write_publish(const Pending& m, bool dup) {
  codec::Publish p{.topic = m.topic,
                   .payload = m.payload,
                   .qos = m.qos,
                   .retain = m.retain,
                   .dup = dup,
                   .packet_id = m.packet_id};
  if (!dup && alias_limit_ > 0) {  // a retransmission names its topic in full
    auto it = std::find(aliases_out_.begin(), aliases_out_.end(), m.topic);
    if (it != aliases_out_.end()) {
      p.topic_alias = static_cast<std::uint16_t>(it - aliases_out_.begin() + 1);
      p.topic = {};
    } else if (aliases_out_.size() < alias_limit_) {
      aliases_out_.push_back(m.topic);
      p.topic_alias = static_cast<std::uint16_t>(aliases_out_.size());
    }
  }
  auto n = codec::write_publish(settings_.version, p,
                                scratch(codec::publish_size(settings_.version, p)));
  if (n) send(*n);
}

void ClientImpl::complete(std::size_t index, std::error_code result) {
  auto it = outbox_.messages().begin() + static_cast<std::ptrdiff_t>(index);
  const std::uint64_t id = it->id;
  outbox_.erase(it);
  if (!result) ++stats_.published;
  user_.on_published(id, result);
}

std::error_code ClientImpl::on_ack(PacketType type, const codec::Ack& ack) {
  auto it = outbox_.find(ack.packet_id);
  if (it == outbox_.messages().end()) return {};  // already done (a late duplicate)
  const auto index = static_cast<std::size_t>(it - outbox_.messages().begin());
  const bool qos2 = it->qos == QoS::exactly_once;
  switch (type) {
    case PacketType::puback:
      if (qos2) return make_error_code(reason::protocol_error);
      complete(index, code_of(ack.code));
      break;
    case PacketType::pubrec:
      if (!qos2) return make_error_code(reason::protocol_error);
      if (ack.code >= 0x80) {
        complete(index, code_of(ack.code));
        break;
      }
      if (it->stage != Stage::released) {
        outbox_.set_stage(*it, Stage::released);
        outbox_.changed(*it);
      }
      if (auto n =
              codec::write_ack(settings_.version, PacketType::pubrel, ack.packet_id, 0, scratch(8)))
        send(*n);
      return {};
    default:  // pubcomp
      if (!qos2 || it->stage != Stage::released) return make_error_code(reason::protocol_error);
      complete(index, code_of(ack.code));
      break;
  }
  if (!retired_) schedule_pump();  // the window has room again
  return {};
}

std::error_code ClientImpl::on_publish(const codec::FixedHeader& h,
                                       std::span<const std::byte> body) {
  auto p = codec::read_publish(settings_.version, h, body);
  if (!p) return p.error();
  std::string_view topic = p->topic;
  if (p->topic_alias != 0) {
    if (p->topic_alias > aliases_in_.size()) return make_error_code(reason::topic_alias_invalid);
    auto& slot = aliases_in_[p->topic_alias - 1u];
    if (!topic.empty())
      slot.assign(topic);
    else if (slot.empty())
      return make_error_code(reason::topic_alias_invalid);
    topic = slot;
  }
  const Version v = settings_.version;
  if (p->qos == QoS::exactly_once) {
    const bool seen = std::find(incoming_qos2_.begin(), incoming_qos2_.end(), p->packet_id) !=
                      incoming_qos2_.end();
    if (!seen && incoming_qos2_.size() >= settings_.receive_maximum)
      return make_error_code(reason::receive_maximum_exceeded);
    if (seen) {
      ++stats_.duplicates_dropped;
    } else {
      incoming_qos2_.push_back(p->packet_id);
      if (auto ec = deliver(topic, *p)) return ec;
    }
    if (auto n = codec::write_ack(v, PacketType::pubrec, p->packet_id, 0, scratch(8))) send(*n);
    return {};
  }
  if (auto ec = deliver(topic, *p)) return ec;
  if (p->qos == QoS::at_least_once && !stopping_)  // stopping: the next session gets it again
    if (auto n = codec::write_ack(v, PacketType::puback, p->packet_id, 0, scratch(8))) send(*n);
  return {};
}

std::error_code ClientImpl::deliver(std::string_view topic, const codec::Publish& p) {
  ++stats_.received;
  user_.on_message(Message{
      .topic = topic, .payload = p.payload, .qos = p.qos, .retain = p.retain, .duplicate = p.dup});
  return retired_ ? make_error_code(failure::stopped) : std::error_code{};
}

std::uint16_t ClientImpl::next_packet_id() noexcept {
  for (unsigned tries = 0; tries < 65535; ++tries) {
    const std::uint16_t id = next_packet_id_;
    next_packet_id_ = next_packet_id_ == 65535 ? 1 : next_packet_id_ + 1;
    const bool used = outbox_.find(id) != outbox_.messages().end() ||
                      std::any_of(requests_.begin(), requests_.end(),
                                  [&](const Request& r) { return r.packet_id == id; });
    if (!used) return id;
  }
  return 1;  // unreachable: the window is far below 65535
}

}  // namespace sockkit::mqtt
