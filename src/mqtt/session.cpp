// SPDX-License-Identifier: MIT
// The session's connection side: CONNECT and CONNACK, what arrives,
// keepalive, subscriptions, DISCONNECT. Publications: session_publish.cpp.
#include "mqtt/session.hpp"
#include "mqtt/codec_io.hpp"

#include <algorithm>
#include <array>

#include "deadline.hpp"

namespace sockkit::mqtt {

using namespace detail;
using codec::PacketType;
using std::chrono::milliseconds;

Message EventBatch::message(const SessionEvent& e) const noexcept {
  const auto* base = bytes.data();
  Message m{
      .topic = {reinterpret_cast<const char*>(base) + e.topic_at, e.topic_size},
      .payload = {base + e.payload_at, e.payload_size},
      .qos = e.qos,
      .retain = e.retain,
      .duplicate = e.duplicate,
  };
  if (codec::kMqtt5 && e.properties_size > 0) {
    // The copy of the block was checked when the packet was read: read again, it is the same.
    codec::Properties properties;
    codec::io::Reader r(std::span(base + e.properties_at, e.properties_size));
    if (!codec::io::read_properties(r, properties, codec::io::kPublishProperties))
      codec::fill_message_properties(properties, m);
  }
  return m;
}

Reply EventBatch::reply(const SessionEvent& e) const noexcept {
  Reply r{.packet = e.packet, .id = e.id, .reason = e.result};
  if (!codec::kMqtt5 || e.properties_size == 0) return r;  // only MQTT 5 answers carry more
  codec::Properties properties;
  codec::io::Reader in(std::span(bytes.data() + e.properties_at, e.properties_size));
  constexpr auto kAny =
      codec::io::kConnackProperties | codec::io::kAckProperties | codec::io::kDisconnectProperties;
  if (codec::io::read_properties(in, properties, kAny)) return r;  // checked when it came
  r.reason_string = properties.reason_string.value_or(std::string_view{});
  r.user_properties = UserProperties(properties.block);
  r.server_reference = properties.server_reference.value_or(std::string_view{});
  r.response_information = properties.response_information.value_or(std::string_view{});
  return r;
}

Session::Session(const Options& settings)
    : settings_(settings),
      outbox_(settings_.outbox_bytes, settings_.outbox_messages, settings_.outbox_overflow,
              settings_.store),
      client_id_(settings_.client_id),
      keepalive_(settings_.keepalive) {}

Status Session::restore() {
  return outbox_.restore();
}

Status Session::connected(SessionClock::time_point now) {
  now_ = now;
  phase_ = Phase::awaiting_connack;
  stopping_ = false;
  disconnect_written_ = false;
  ping_outstanding_ = false;
  last_received_ = now;
  connack_deadline_ = time::deadline_after(now, settings_.connack_timeout);
  aliases_in_.assign(settings_.topic_alias_maximum, std::string());
  aliases_out_.clear();
  const bool v5 = codec::is_v5(settings_.version);
  Authenticator* const auth = v5 ? settings_.authenticator : nullptr;
  if (auth != nullptr) {
    auto first = auth->start();
    if (!first) return first.error();
    auth_data_ = std::move(*first);
  }
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
      .user_properties = v5 ? &settings_.user_properties : nullptr,
      .request_response_information = v5 && settings_.request_response_information,
      .request_problem_information = !v5 || settings_.request_problem_information,
      .authentication_method = auth != nullptr ? auth->method() : std::string_view{},
      .authentication_data =
          auth != nullptr ? std::span<const std::byte>(auth_data_) : std::span<const std::byte>{},
  };
  auto pairs_size = [](const UserPropertyStrings& pairs) {
    std::size_t n = 0;
    for (const auto& [name, value] : pairs)
      n += 5 + name.size() + value.size();
    return n;
  };
  std::size_t size = 64 + auth_data_.size() + connect.authentication_method.size() +
                     client_id_.size() + settings_.user_name.value_or("").size() +
                     settings_.password.value_or("").size() + pairs_size(settings_.user_properties);
  if (const auto& will = settings_.will)
    size += 32 + will->topic.size() + will->payload.size() + will->content_type.size() +
            will->response_topic.size() + will->correlation_data.size() +
            pairs_size(will->user_properties);
  if (auto ec =
          write(size, [&](std::span<std::byte> to) { return codec::write_connect(connect, to); }))
    return ec;
  return {};
}

void Session::write_ack(codec::PacketType type, std::uint16_t packet_id,
                        std::uint8_t code) noexcept {
  const UserPropertyStrings& pairs = settings_.ack_user_properties;
  std::size_t size = 8;
  const UserPropertyStrings* users = nullptr;
  if (codec::is_v5(settings_.version) && !pairs.empty()) {
    const std::size_t with = size + 5 + codec::user_properties_size(&pairs);
    if (with <= broker_max_packet_) {  // else left off, as MQTT 5 §3.4.2.2 asks
      users = &pairs;
      size = with;
    }
  }
  (void)write(size, [&](std::span<std::byte> to) {
    return codec::write_ack(settings_.version, type, packet_id, code, to, users);
  });
}

void Session::disconnected(bool broker_hung_up) noexcept {
  if (broker_hung_up && phase_ == Phase::connected && !stopping_) blame_hang_up();
  phase_ = Phase::offline;
  ping_outstanding_ = false;
  out_.clear();  // nothing more can be sent on that connection
}

Result<std::size_t> Session::receive(std::span<const std::byte> data,
                                     SessionClock::time_point now) {
  now_ = now;
  auto used = read_packets(data);
  if (!used) say_why(used.error());
  return used;
}

void Session::say_why(ErrorCode why) {
  // MQTT 5 (4.13): a client that finds the broker at fault says so with
  // DISCONNECT and the reason code before it closes.
  if (!codec::is_v5(settings_.version) || phase_ != Phase::connected || disconnect_written_) return;
  const bool sendable = why.category() == category() && why.value() >= 0x80 && why.value() <= 0xA2;
  const auto code =
      static_cast<std::uint8_t>(sendable ? why.value() : static_cast<int>(reason::protocol_error));
  disconnect_written_ = true;
  write(4, [&](std::span<std::byte> to) {
    return codec::write_disconnect(settings_.version, code, nullptr, to);
  });
}

Result<std::size_t> Session::read_packets(std::span<const std::byte> data) {
  const SessionClock::time_point now = now_;
  std::size_t used = 0;
  while (phase_ != Phase::offline && !disconnect_written_) {
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
    last_received_ = now;
    ping_outstanding_ = false;  // any packet shows the broker is alive
    if (auto ec = handle(h, body)) return ec;
  }
  return used;
}

ErrorCode Session::advance(SessionClock::time_point now) {
  now_ = now;
  if (phase_ == Phase::awaiting_connack && now >= connack_deadline_)
    return make_error_code(reason::connack_timeout);
  if (phase_ != Phase::connected || keepalive_.count() == 0) return {};
  if (ping_outstanding_ && now >= ping_deadline_) return make_error_code(reason::ping_timeout);
  if (!ping_outstanding_ &&
      (now - last_sent_ >= keepalive_ || now - last_received_ >= keepalive_)) {
    write(2, [](std::span<std::byte> to) { return codec::write_pingreq(to); });
    ping_outstanding_ = true;
    ping_deadline_ = now + keepalive_ / 2;  // no answer by then: the broker is dead
  }
  return {};
}

std::optional<SessionClock::time_point> Session::next_deadline() const noexcept {
  if (phase_ == Phase::awaiting_connack) return connack_deadline_;
  if (phase_ != Phase::connected || keepalive_.count() == 0) return std::nullopt;
  if (ping_outstanding_) return ping_deadline_;
  return std::min(last_sent_, last_received_) + keepalive_;
}

void Session::stop(SessionClock::time_point now, UserPropertyStrings user_properties) {
  now_ = now;
  stopping_ = true;
  disconnect_user_properties_ = std::move(user_properties);
  disconnect_when_released();
}

void Session::disconnect_when_released() {
  if (phase_ != Phase::connected || !stopping_ || disconnect_written_ || !incoming_qos2_.empty())
    return;
  disconnect_written_ = true;
  const auto* users = codec::is_v5(settings_.version) ? &disconnect_user_properties_ : nullptr;
  if (write(8 + codec::user_properties_size(users), [&](std::span<std::byte> to) {
        return codec::write_disconnect(settings_.version, 0, users, to);
      }))  // properties that are not UTF-8: the DISCONNECT goes without them
    write(2, [&](std::span<std::byte> to) {
      return codec::write_disconnect(settings_.version, 0, nullptr, to);
    });
}

Status Session::subscribe(std::vector<Subscription> filters) {
  if (filters.empty()) return make_error(std::errc::invalid_argument);
  for (const auto& f : filters) {
    if (!codec::valid_topic_filter(f.filter) || static_cast<unsigned>(f.qos) > 2 ||
        static_cast<unsigned>(f.retain_handling) > 2 || f.id > codec::kMaxSubscriptionId)
      return make_error(std::errc::invalid_argument);
    const bool v5_options = f.no_local || f.retain_as_published ||
                            f.retain_handling != RetainHandling::on_subscribe || f.id != 0 ||
                            !f.user_properties.empty();
    if (!codec::valid_user_properties(f.user_properties))
      return make_error(std::errc::invalid_argument);
    if (v5_options && !codec::is_v5(settings_.version)) return make_error(std::errc::not_supported);
  }
  for (const auto& f : filters) {
    auto same = std::find_if(subscriptions_.begin(), subscriptions_.end(),
                             [&](const Subscription& s) { return s.filter == f.filter; });
    if (same != subscriptions_.end())
      *same = f;
    else
      subscriptions_.push_back(f);
  }
  unsent_.push_back({.packet_id = 0, .subscribe = true, .asked = std::move(filters)});
  return {};
}

Status Session::unsubscribe(std::string_view filter, const UserPropertyStrings& user_properties) {
  if (!codec::valid_topic_filter(filter) || !codec::valid_user_properties(user_properties))
    return make_error(std::errc::invalid_argument);
  if (!user_properties.empty() && !codec::is_v5(settings_.version))
    return make_error(std::errc::not_supported);
  std::erase_if(subscriptions_, [&](const Subscription& s) { return s.filter == filter; });
  unsent_.push_back(
      {.packet_id = 0,
       .subscribe = false,
       .asked = {{.filter = std::string(filter), .user_properties = user_properties}}});
  return {};
}

void Session::take_events(EventBatch& batch) {
  batch.clear();
  std::swap(batch, events_);
}

Stats Session::stats() const noexcept {
  Stats s = stats_;
  s.outbox_messages = outbox_.messages().size();
  s.outbox_bytes = outbox_.bytes();
  s.inflight = outbox_.inflight();
  return s;
}

ErrorCode Session::handle(const codec::FixedHeader& h, std::span<const std::byte> body) {
  const Version v = settings_.version;
  ++packets_received_;
  const auto unexpected = make_error_code(reason::unexpected_packet);
  if (phase_ == Phase::awaiting_connack && h.type != PacketType::connack &&
      h.type != PacketType::auth)
    return unexpected;
  switch (h.type) {
    case PacketType::connack: {
      if (phase_ != Phase::awaiting_connack) return unexpected;
      auto ack = codec::read_connack(v, h, body);
      if (!ack) return ack.error();
      note_reply(Reply::Packet::connack, 0, ack->code, ack->properties);
      if (ack->code != 0) return make_error_code(static_cast<reason>(ack->code));
      if (auto ec = finish_authentication(ack->properties)) return ec;
      return on_connack(*ack);
    }
    case PacketType::publish:
      return on_publish(h, body);
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubcomp: {
      codec::Properties props;
      auto ack = codec::read_ack(v, h, body, &props);
      if (!ack) return ack.error();
      const auto answered = outbox_.find(ack->packet_id);
      const auto kind = h.type == PacketType::puback   ? Reply::Packet::puback
                        : h.type == PacketType::pubrec ? Reply::Packet::pubrec
                                                       : Reply::Packet::pubcomp;
      note_reply(kind, answered != outbox_.messages().end() ? answered->id : 0, ack->code, props);
      return on_ack(h.type, *ack);
    }
    case PacketType::pubrel: {
      codec::Properties props;
      auto ack = codec::read_ack(v, h, body, &props);
      if (!ack) return ack.error();
      note_reply(Reply::Packet::pubrel, 0, ack->code, props);
      const auto at =
          std::lower_bound(incoming_qos2_.begin(), incoming_qos2_.end(), ack->packet_id);
      if (at != incoming_qos2_.end() && *at == ack->packet_id) incoming_qos2_.erase(at);
      write_ack(PacketType::pubcomp, ack->packet_id);
      disconnect_when_released();
      return {};
    }
    case PacketType::suback: {
      codec::Properties props;
      auto ack = codec::read_suback(v, h, body, &props);
      if (!ack) return ack.error();
      note_reply(Reply::Packet::suback, 0, 0, props);
      return on_suback(*ack);
    }
    case PacketType::unsuback: {
      codec::Properties props;
      auto ack = codec::read_ack(v, h, body, &props);
      if (!ack) return ack.error();
      note_reply(Reply::Packet::unsuback, 0, ack->code, props);
      std::erase_if(requests_, [&](const Request& r) {
        return !r.subscribe && r.packet_id == ack->packet_id;
      });
      return {};
    }
    case PacketType::pingresp:
      if (h.remaining != 0 || h.flags != 0) return make_error_code(reason::malformed_packet);
      return {};
    case PacketType::auth: {
      codec::Properties props;
      auto a = codec::read_auth(v, h, body, &props);
      if (!a) return a.error();
      note_reply(Reply::Packet::auth, 0, a->code, props);
      return on_auth(*a, props);
    }
    case PacketType::disconnect: {
      codec::Properties props;
      auto d = codec::read_disconnect(v, h, body, &props);
      if (!d) return d.error();
      note_reply(Reply::Packet::disconnect, 0, d->code, props);
      return d->code == 0 ? make_error_code(failure::closed_by_peer) : code_of(d->code);
    }
    default:
      return unexpected;
  }
}

ErrorCode Session::on_connack(const codec::Connack& ack) {
  phase_ = Phase::connected;
  ++stats_.connects;
  send_window_ = settings_.max_inflight;
  broker_max_packet_ = codec::kMaxRemainingLength + 5;
  broker_max_qos_ = 2;
  retain_available_ = true;
  alias_limit_ = 0;
  keepalive_ = settings_.keepalive;
  if (codec::kMqtt5) apply_broker_properties(ack.properties);
  // MQTT 3.1's CONNACK does not say; a broker keeps a session that is not clean.
  const bool present =
      settings_.version == Version::v3_1 ? !settings_.clean_session : ack.session_present;
  if (present)
    resume();
  else
    start_fresh_session();
  events_.events.push_back({.kind = SessionEvent::Kind::connected, .session_present = present});
  return {};
}

void Session::apply_broker_properties(const codec::Properties& p) {
  if (p.receive_maximum) send_window_ = std::min(send_window_, *p.receive_maximum);
  if (p.maximum_packet_size) broker_max_packet_ = *p.maximum_packet_size;
  if (p.maximum_qos) broker_max_qos_ = *p.maximum_qos;
  if (p.retain_available) retain_available_ = *p.retain_available;
  if (settings_.use_topic_aliases)
    alias_limit_ = std::min<std::uint16_t>(p.topic_alias_maximum.value_or(0), kMaxAliasesOut);
  if (p.server_keep_alive) keepalive_ = std::chrono::seconds(*p.server_keep_alive);
  if (p.assigned_client_id) client_id_.assign(*p.assigned_client_id);
}

ErrorCode Session::on_suback(const codec::Suback& ack) {
  auto it = std::find_if(requests_.begin(), requests_.end(), [&](const Request& r) {
    return r.subscribe && r.packet_id == ack.packet_id;
  });
  if (it == requests_.end()) return {};
  Request request = std::move(*it);
  requests_.erase(it);
  if (ack.codes.size() != request.asked.size()) return make_error_code(reason::protocol_error);
  EventBatch::Subscribed done{.asked = std::move(request.asked), .results = {}};
  for (auto b : ack.codes) {
    const auto code = std::to_integer<std::uint8_t>(b);
    done.results.push_back(code == 0x80 && !codec::is_v5(settings_.version)
                               ? make_error_code(reason::unspecified_error)
                               : code_of(code));
  }
  events_.subscriptions.push_back(std::move(done));
  events_.events.push_back(
      {.kind = SessionEvent::Kind::subscribed, .subscription = events_.subscriptions.size() - 1});
  return {};
}

void Session::send_subscribe(const std::vector<Subscription>& filters) {
  // One SUBSCRIBE per run of filters with the same subscription identifier
  // and user properties (a packet carries one set), of at most
  // kMaxSubackCodes filters.
  for (std::size_t first = 0, count = 0; first < filters.size(); first += count) {
    const Subscription& lead = filters[first];
    count = 1;
    while (first + count < filters.size() && count < codec::kMaxSubackCodes &&
           filters[first + count].id == lead.id &&
           filters[first + count].user_properties == lead.user_properties)
      ++count;
    const auto* users = codec::is_v5(settings_.version) ? &lead.user_properties : nullptr;
    std::array<codec::SubscribeFilter, codec::kMaxSubackCodes> wire;
    std::size_t bytes = 24 + codec::user_properties_size(users);
    for (std::size_t i = 0; i < count; ++i) {
      const auto& f = filters[first + i];
      wire[i] = {.filter = f.filter,
                 .qos = f.qos,
                 .no_local = f.no_local,
                 .retain_as_published = f.retain_as_published,
                 .retain_handling = f.retain_handling};
      bytes += f.filter.size() + 3;
    }
    Request r{.packet_id = next_packet_id(), .subscribe = true, .asked = {}};
    r.asked.assign(filters.begin() + static_cast<std::ptrdiff_t>(first),
                   filters.begin() + static_cast<std::ptrdiff_t>(first + count));
    const auto failed = write(bytes, [&](std::span<std::byte> to) {
      return codec::write_subscribe(settings_.version, r.packet_id, std::span(wire.data(), count),
                                    lead.id, users, to);
    });
    if (!failed) requests_.push_back(std::move(r));
  }
}

void Session::send_unsubscribe(const Subscription& filter) {
  Request r{.packet_id = next_packet_id(), .subscribe = false, .asked = {}};
  const std::string_view one[] = {filter.filter};
  const auto* users = codec::is_v5(settings_.version) ? &filter.user_properties : nullptr;
  if (write(filter.filter.size() + 16 + codec::user_properties_size(users),
            [&](std::span<std::byte> to) {
              return codec::write_unsubscribe(settings_.version, r.packet_id, one, users, to);
            }))
    return;
  r.asked.push_back(filter);
  requests_.push_back(std::move(r));
}

}  // namespace sockkit::mqtt
