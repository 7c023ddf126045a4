// SPDX-License-Identifier: MIT
// The session's publications: publish() into the outbox, the in-flight
// window, PUBACK / PUBREC / PUBREL / PUBCOMP both ways, retransmission on a
// resumed session and a fresh start on a new one.
#include <algorithm>
#include <utility>

#include "mqtt/codec_io.hpp"
#include "mqtt/session.hpp"

namespace sockkit::mqtt {

using namespace detail;
using codec::PacketType;

Result<std::uint64_t> Session::publish(std::string_view topic, std::span<const std::byte> payload,
                                       QoS qos, bool retain) {
  return publish(topic, payload, qos, retain, {}, now_);
}

Result<std::uint64_t> Session::publish(std::string_view topic, std::span<const std::byte> payload,
                                       QoS qos, bool retain, const PublishProperties& properties,
                                       SessionClock::time_point now) {
  if (!codec::valid_topic_name(topic) || static_cast<unsigned>(qos) > 2)
    return make_error(std::errc::invalid_argument);
  Pending p;
  if (codec::has_any(properties)) {
    // Compiled out of an MQTT 3.1.1-only build, where is_v5() is always false.
    if (!codec::is_v5(settings_.version)) return make_error(std::errc::not_supported);
    if (properties.expiry && properties.expiry->count() <= 0)
      return make_error(std::errc::invalid_argument);
    auto size = codec::publish_properties_size(properties);
    if (!size) return size.error();
    p.properties.resize(*size);
    codec::write_publish_properties(properties, p.properties);
    if (properties.expiry) {
      p.expiry_s = static_cast<std::uint32_t>(
          std::min<std::chrono::seconds::rep>(properties.expiry->count(), 0xffffffff));
      p.expires_at = now + std::chrono::seconds(p.expiry_s);
    }
  }
  const codec::Publish probe{.topic = topic,
                             .payload = payload,
                             .qos = qos,
                             .packet_id = 1,
                             .message_expiry = p.expiry_s,
                             .properties = p.properties};
  if (codec::publish_size(settings_.version, probe) > codec::kMaxRemainingLength)
    return make_error_code(reason::packet_too_large);
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
  return id;
}

bool Session::has_work() const noexcept {
  if (phase_ != Phase::connected || stopping_) return false;
  if (!unsent_.empty()) return true;
  return std::any_of(outbox_.messages().begin(), outbox_.messages().end(),
                     [](const Pending& m) { return m.stage == Stage::queued; });
}

void Session::report_dropped(std::size_t messages, std::size_t bytes) {
  stats_.dropped_messages += messages;
  stats_.dropped_bytes += bytes;
  auto& events = events_.events;
  if (!events.empty() && events.back().kind == SessionEvent::Kind::dropped) {
    events.back().messages += messages;  // one report for a burst
    events.back().bytes += bytes;
    return;
  }
  events.push_back({.kind = SessionEvent::Kind::dropped, .messages = messages, .bytes = bytes});
}

void Session::resume() {
  for (auto& m : outbox_.messages()) {
    if (m.stage == Stage::published) {
      write_publish(m, true);
      ++stats_.retransmitted;
    } else if (m.stage == Stage::released) {
      write_ack(PacketType::pubrel, m.packet_id);
      ++stats_.retransmitted;
    }
  }
  auto unanswered = std::move(requests_);
  requests_.clear();
  for (auto& r : unanswered) {
    if (r.subscribe)
      send_subscribe(r.asked);
    else
      send_unsubscribe(r.asked.front());
  }
}

void Session::start_fresh_session() {
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

void Session::pump(std::size_t room, SessionClock::time_point now) {
  now_ = now;
  if (phase_ != Phase::connected || stopping_) return;
  // SUBSCRIBE and UNSUBSCRIBE first, in the order they were asked for.
  while (!unsent_.empty()) {
    Request r = std::move(unsent_.front());
    unsent_.erase(unsent_.begin());
    if (r.subscribe)
      send_subscribe(r.asked);
    else
      send_unsubscribe(r.asked.front());
  }
  auto& messages = outbox_.messages();
  for (std::size_t i = 0; i < messages.size();) {
    if (out_.size() >= room) return;  // the transport is full: called again when it drains
    Pending& m = messages[i];
    if (m.stage != Stage::queued) {
      ++i;
      continue;
    }
    if (m.expiry_s != 0 && m.expires_at == SessionClock::time_point{})
      m.expires_at = now + std::chrono::seconds(m.expiry_s);  // read back from the store
    if (m.expiry_s != 0 && now >= m.expires_at) {
      ++stats_.expired;
      complete(i, make_error_code(failure::message_expired));
      continue;
    }
    if (m.qos != QoS::at_most_once && outbox_.inflight() >= send_window_) return;
    ErrorCode refused;
    if (static_cast<std::uint8_t>(m.qos) > broker_max_qos_)
      refused = make_error_code(reason::qos_not_supported);
    else if (m.retain && !retain_available_)
      refused = make_error_code(reason::retain_not_supported);
    else if (codec::publish_size(settings_.version, {.topic = m.topic,
                                                     .payload = m.payload,
                                                     .qos = m.qos,
                                                     .packet_id = 1,
                                                     .message_expiry = m.expiry_s,
                                                     .properties = m.properties}) >
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

void Session::write_publish(Pending& m, bool dup) {
  m.written_mark = packets_received_;
  codec::Publish p{.topic = m.topic,
                   .payload = m.payload,
                   .qos = m.qos,
                   .retain = m.retain,
                   .dup = dup,
                   .packet_id = m.packet_id,
                   .properties = m.properties};
  if (codec::kMqtt5 && m.expiry_s != 0) {  // an MQTT 5 property: 3.1.1-only builds drop this
    // What is left of its lifetime, rounded up; at least a second, since a
    // message already in flight must still finish its exchange.
    const auto left = std::chrono::ceil<std::chrono::seconds>(m.expires_at - now_).count();
    p.message_expiry = static_cast<std::uint32_t>(std::clamp<std::int64_t>(left, 1, m.expiry_s));
  }
  if (codec::kMqtt5 && !dup && alias_limit_ > 0) {  // a retransmission names its topic in full
    auto it = std::find(aliases_out_.begin(), aliases_out_.end(), m.topic);
    if (it != aliases_out_.end()) {
      p.topic_alias = static_cast<std::uint16_t>(it - aliases_out_.begin() + 1);
      p.topic = {};
    } else if (aliases_out_.size() < alias_limit_) {
      aliases_out_.push_back(m.topic);
      p.topic_alias = static_cast<std::uint16_t>(aliases_out_.size());
    }
  }
  write(codec::publish_size(settings_.version, p),
        [&](std::span<std::byte> to) { return codec::write_publish(settings_.version, p, to); });
}

void Session::blame_hang_up() noexcept {
  if (settings_.max_hang_ups_per_message == 0) return;
  // A broker reads in order: the first message it has not answered is where it
  // stopped, if nothing at all came back after that message was sent.
  auto& messages = outbox_.messages();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    Pending& m = messages[i];
    if (m.stage == Stage::released) continue;  // PUBREC came: the broker took it
    if (m.stage != Stage::published || m.written_mark != packets_received_) return;
    if (++m.hang_ups < settings_.max_hang_ups_per_message) return;
    ++stats_.rejected_by_hang_up;
    complete(i, make_error_code(failure::rejected_by_hang_up));
    return;
  }
}

void Session::complete(std::size_t index, ErrorCode result) {
  auto it = outbox_.messages().begin() + static_cast<std::ptrdiff_t>(index);
  const std::uint64_t id = it->id;
  outbox_.erase(it);
  if (!result) ++stats_.published;
  events_.events.push_back({.kind = SessionEvent::Kind::published, .id = id, .result = result});
}

ErrorCode Session::on_ack(PacketType type, const codec::Ack& ack) {
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
      write_ack(PacketType::pubrel, ack.packet_id);
      break;
    default:  // pubcomp
      if (!qos2 || it->stage != Stage::released) return make_error_code(reason::protocol_error);
      complete(index, code_of(ack.code));
      break;
  }
  return {};
}

ErrorCode Session::on_publish(const codec::FixedHeader& h, std::span<const std::byte> body) {
  codec::Properties props;
  auto p = codec::read_publish(settings_.version, h, body, &props);
  if (!p) return p.error();
  std::string_view topic = p->topic;
  if (codec::kMqtt5 && p->topic_alias != 0) {
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
    // Sorted: a broker may leave thousands unreleased, and each lookup stays cheap.
    const auto at = std::lower_bound(incoming_qos2_.begin(), incoming_qos2_.end(), p->packet_id);
    const bool seen = at != incoming_qos2_.end() && *at == p->packet_id;
    // A broker past the receive maximum we gave it (mosquitto 2.0.11 is,
    // in a QoS 2 burst) is counted, not hung up on: that would lose the
    // burst. Only ids are kept, so the id space bounds them.
    if (!seen && stopping_) return {};  // not taken: the next session gets it
    if (!seen && refuse_payload(*p, props)) return {};
    if (!seen && codec::is_v5(v) && incoming_qos2_.size() >= settings_.receive_maximum)
      ++stats_.receive_maximum_overruns;
    if (seen) {
      ++stats_.duplicates_dropped;
    } else {
      incoming_qos2_.insert(at, p->packet_id);
      deliver(topic, *p, props);
    }
    write_ack(PacketType::pubrec, p->packet_id);
    return {};
  }
  if (stopping_) return {};  // after stop(): not delivered nor acknowledged; the next session's
  if (refuse_payload(*p, props)) return {};
  deliver(topic, *p, props);
  if (p->qos == QoS::at_least_once) write_ack(PacketType::puback, p->packet_id);
  return {};
}

std::size_t Session::keep_properties(const codec::Properties& props) {
  auto& bytes = events_.bytes;
  const std::size_t at = bytes.size();
  if (codec::kMqtt5 && !props.block.empty()) {
    std::byte length[4];  // in front, as the codec reads a block
    codec::io::Writer w(length);
    w.varint(static_cast<std::uint32_t>(props.block.size()));
    bytes.insert(bytes.end(), length, length + w.size());
    bytes.insert(bytes.end(), props.block.begin(), props.block.end());
  }
  return at;
}

void Session::note_reply(Reply::Packet packet, std::uint64_t id, std::uint8_t code,
                         const codec::Properties& props) {
  if (!codec::kMqtt5) return;
  const bool more = props.reason_string || props.server_reference || props.response_information ||
                    !UserProperties(props.block).empty();
  if (!more) return;
  const std::size_t at = keep_properties(props);
  events_.events.push_back({.kind = SessionEvent::Kind::reply,
                            .id = id,
                            .result = code_of(code),
                            .properties_at = at,
                            .properties_size = events_.bytes.size() - at,
                            .packet = packet});
}

bool Session::refuse_payload(const codec::Publish& p, const codec::Properties& props) {
  if (!codec::kMqtt5 || props.payload_format.value_or(0) != 1) return false;
  const std::string_view text(reinterpret_cast<const char*>(p.payload.data()), p.payload.size());
  if (codec::valid_utf8(text)) return false;
  ++stats_.refused_payloads;
  if (p.qos != QoS::at_most_once) {
    const auto type = p.qos == QoS::exactly_once ? PacketType::pubrec : PacketType::puback;
    write_ack(type, p.packet_id, static_cast<std::uint8_t>(reason::payload_format_invalid));
  }
  return true;
}

void Session::deliver(std::string_view topic, const codec::Publish& p,
                      const codec::Properties& props) {
  ++stats_.received;
  auto& bytes = events_.bytes;  // the event owns a copy: the input is gone when it is read
  const std::size_t topic_at = bytes.size();
  const auto* t = reinterpret_cast<const std::byte*>(topic.data());
  bytes.insert(bytes.end(), t, t + topic.size());
  const std::size_t payload_at = bytes.size();
  bytes.insert(bytes.end(), p.payload.begin(), p.payload.end());
  const std::size_t properties_at = keep_properties(props);
  events_.events.push_back({.kind = SessionEvent::Kind::message,
                            .topic_at = topic_at,
                            .topic_size = topic.size(),
                            .payload_at = payload_at,
                            .payload_size = p.payload.size(),
                            .properties_at = properties_at,
                            .properties_size = bytes.size() - properties_at,
                            .qos = p.qos,
                            .retain = p.retain,
                            .duplicate = p.dup});
}

std::uint16_t Session::next_packet_id() noexcept {
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
