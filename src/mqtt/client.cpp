// The MQTT client: a session with one broker over ReconnectingClient. The
// codec writes and reads packets; this file owns the exchange: CONNECT and
// its deadline, the in-flight window, retransmission after a reconnect,
// subscriptions, keepalive and the bounded outbox.
#include <algorithm>
#include <array>
#include <cstring>

#include "mqtt/codec.hpp"
#include "mqtt/outbox.hpp"
#include "net/dispose.hpp"
#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt {

using std::chrono::milliseconds;
using Clock = EventLoop::Clock;
using codec::PacketType;
using detail::Pending;
using Stage = Pending::Stage;

namespace {
constexpr std::uint16_t kMaxAliasesOut = 32;      // topics we alias toward the broker
constexpr std::size_t kQueueHighMark = 64 << 10;  // stop handing PUBLISH to the socket here
constexpr std::size_t kQueueLowMark = 16 << 10;
constexpr milliseconds kDisconnectFlush{2000};  // DISCONNECT written, socket not drained: close

std::error_code code_of(std::uint8_t reason_code) noexcept {
  return reason_code < 0x80 ? std::error_code{} : make_error_code(static_cast<reason>(reason_code));
}
}  // namespace

class ClientImpl final : public ReconnectingHandler {
 public:
  ClientImpl(EventLoop& loop, Settings settings, Handler& handler)
      : loop_(loop),
        settings_(std::move(settings)),
        user_(handler),
        outbox_(settings_.outbox_bytes, settings_.outbox_messages, settings_.outbox_overflow,
                settings_.store),
        client_id_(settings_.client_id),
        keepalive_(settings_.keepalive) {}
  ~ClientImpl() { retire(); }

  Status init() {
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

  void retire() noexcept {
    retired_ = true;
    cancel_timers();
    cancel(pump_timer_);
    cancel(stop_timer_);
    conn_ = nullptr;
    link_.reset();  // closes without DISCONNECT: the broker publishes the will
  }
  bool busy() const noexcept { return false; }
  EventLoop& loop() noexcept { return loop_; }

  void start() noexcept {
    stopping_ = false;
    link_->start();
  }

  void stop() noexcept {
    if (stopping_ || retired_) return;
    stopping_ = true;
    // From the loop, not from inside stop(): what publish() queued leaves first,
    // and its completions reach the handler as always.
    cancel(pump_timer_);
    stop_timer_ = loop_.add_timer(milliseconds(0), [this] {
      stop_timer_ = 0;
      finish_stop();
    });
  }

  void finish_stop() noexcept {
    if (conn_ == nullptr || phase_ != Phase::connected) return link_->stop();
    pump();
    if (retired_ || conn_ == nullptr) return;
    if (auto n = codec::write_disconnect(settings_.version, 0, scratch(2))) send(*n);
    if (conn_ == nullptr) return;
    conn_->close_after_flush();
    if (conn_ == nullptr) return;  // flushed and closed already: on_close stopped the link
    stop_timer_ = loop_.add_timer(kDisconnectFlush, [this] {
      stop_timer_ = 0;
      link_->stop();
    });
  }

  Result<std::uint64_t> publish(std::string_view topic, std::span<const std::byte> payload, QoS qos,
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
    if (dropped.messages > 0) {
      stats_.dropped_messages += dropped.messages;
      stats_.dropped_bytes += dropped.bytes;
      user_.on_dropped(dropped.messages, dropped.bytes);
    }
    if (dropped.refused_new) return failure::outbox_full;
    schedule_pump();
    return id;
  }

  Status subscribe(std::vector<Subscription> filters) noexcept {
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
    if (phase_ == Phase::connected) send_subscribe(filters);
    return {};
  }

  Status unsubscribe(std::string_view filter) noexcept {
    if (!codec::valid_topic_filter(filter))
      return std::make_error_code(std::errc::invalid_argument);
    std::erase_if(subscriptions_, [&](const Subscription& s) { return s.filter == filter; });
    if (phase_ == Phase::connected) send_unsubscribe(std::string(filter));
    return {};
  }

  bool connected() const noexcept { return phase_ == Phase::connected; }
  const std::string& client_id() const noexcept { return client_id_; }
  Stats stats() const noexcept {
    Stats s = stats_;
    s.outbox_messages = outbox_.messages().size();
    s.outbox_bytes = outbox_.bytes();
    s.inflight = outbox_.inflight();
    return s;
  }

  // ReconnectingHandler, as the transport's handler.
  void on_open(Connection& c) override {
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
    connack_timer_ = loop_.add_timer(settings_.connack_timeout, [this] {
      connack_timer_ = 0;
      if (conn_ != nullptr) conn_->close(make_error_code(reason::connack_timeout));
    });
  }

  Result<std::size_t> on_data(Connection&, std::span<const std::byte> data) override {
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

  void on_drain(Connection&) override { pump(); }

  void on_close(Connection& c, std::error_code why) override {
    if (&c != conn_) return;
    conn_ = nullptr;
    phase_ = Phase::offline;
    cancel_timers();
    if (stopping_) why = make_error_code(failure::stopped);  // our DISCONNECT, not the broker's
    user_.on_disconnected(why);
    if (retired_) return;
    if (stopping_) {
      cancel(stop_timer_);
      link_->stop();
    }
  }

  void on_connect_failed(const Endpoint&, std::error_code why) override {
    user_.on_connect_failed(why);
  }
  void on_given_up(std::error_code last) override { user_.on_given_up(last); }

 private:
  enum class Phase : std::uint8_t { offline, awaiting_connack, connected };
  struct Request {
    std::uint16_t packet_id = 0;
    bool subscribe = true;
    std::vector<Subscription> asked;  // for UNSUBSCRIBE: one, its filter
  };

  std::span<std::byte> scratch(std::size_t at_least) {
    if (scratch_.size() < at_least) scratch_.resize(at_least);  // grows once, then reused
    return scratch_;
  }

  void send(std::size_t n) noexcept {
    if (conn_ == nullptr) return;
    last_sent_ = loop_.now();
    // A send that meets a reset closes the connection itself (on_close clears conn_).
    if (auto st = conn_->send(std::span(scratch_.data(), n)); !st && conn_ != nullptr)
      conn_->close(st.error());
  }

  void cancel(TimerId& id) noexcept {
    if (id != 0) loop_.cancel_timer(id);
    id = 0;
  }
  void cancel_timers() noexcept {
    cancel(connack_timer_);
    cancel(keepalive_timer_);
  }

  std::error_code unexpected() noexcept { return make_error_code(reason::unexpected_packet); }

  std::error_code handle(const codec::FixedHeader& h, std::span<const std::byte> body) {
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

  std::error_code on_connack(const codec::Connack& ack) {
    cancel(connack_timer_);
    phase_ = Phase::connected;
    ++stats_.connects;
    const auto& p = ack.properties;
    send_window_ =
        std::min<std::uint16_t>(settings_.max_inflight, p.receive_maximum.value_or(65535));
    broker_max_packet_ = p.maximum_packet_size.value_or(codec::kMaxRemainingLength + 5);
    broker_max_qos_ = p.maximum_qos.value_or(2);
    retain_available_ = p.retain_available.value_or(true);
    alias_limit_ = settings_.use_topic_aliases
                       ? std::min<std::uint16_t>(p.topic_alias_maximum.value_or(0), kMaxAliasesOut)
                       : 0;
    keepalive_ =
        p.server_keep_alive ? std::chrono::seconds(*p.server_keep_alive) : settings_.keepalive;
    if (p.assigned_client_id) client_id_.assign(*p.assigned_client_id);

    if (ack.session_present) {
      resume();
    } else if (auto ec = start_fresh_session()) {
      return ec;
    }
    if (retired_) return {};
    arm_keepalive();
    user_.on_connected(ack.session_present);
    if (retired_ || phase_ != Phase::connected) return {};
    pump();
    return {};
  }

  /// The broker kept the session: what was in flight goes again, in order.
  void resume() {
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

  /// A new session: messages start over, QoS 2 ones the broker had taken are
  /// reported, subscriptions are made again.
  std::error_code start_fresh_session() {
    incoming_qos2_.clear();
    requests_.clear();
    auto& messages = outbox_.messages();
    for (std::size_t i = 0; i < messages.size();) {
      Pending& m = messages[i];
      if (m.stage == Stage::released) {
        // PUBREC came, PUBREL did not complete: the broker that took the message
        // has lost it with the session. Sending it again could duplicate it.
        complete(i, make_error_code(reason::session_not_resumed));
        if (retired_) return {};
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
    return {};
  }

  void schedule_pump() {
    if (pump_timer_ != 0 || phase_ != Phase::connected || stopping_) return;
    // Not from inside publish(): completions then always arrive from the loop.
    pump_timer_ = loop_.add_timer(milliseconds(0), [this] {
      pump_timer_ = 0;
      pump();
    });
  }

  /// Hands queued messages to the socket, in order, within the window.
  void pump() {
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

  void write_publish(const Pending& m, bool dup) {
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

  /// A publication is done (acknowledged, written, or refused).
  void complete(std::size_t index, std::error_code result) {
    auto it = outbox_.messages().begin() + static_cast<std::ptrdiff_t>(index);
    const std::uint64_t id = it->id;
    outbox_.erase(it);
    if (!result) ++stats_.published;
    user_.on_published(id, result);
  }

  std::error_code on_ack(PacketType type, const codec::Ack& ack) {
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
        if (auto n = codec::write_ack(settings_.version, PacketType::pubrel, ack.packet_id, 0,
                                      scratch(8)))
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

  std::error_code on_publish(const codec::FixedHeader& h, std::span<const std::byte> body) {
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

  std::error_code deliver(std::string_view topic, const codec::Publish& p) {
    ++stats_.received;
    user_.on_message(Message{.topic = topic,
                             .payload = p.payload,
                             .qos = p.qos,
                             .retain = p.retain,
                             .duplicate = p.dup});
    return retired_ ? make_error_code(failure::stopped) : std::error_code{};
  }

  std::error_code on_suback(const codec::Suback& ack) {
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

  void send_subscribe(const std::vector<Subscription>& filters) {
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

  void send_unsubscribe(std::string filter) {
    Request r{.packet_id = next_packet_id(), .subscribe = false, .asked = {}};
    const std::string_view one[] = {filter};
    auto n =
        codec::write_unsubscribe(settings_.version, r.packet_id, one, scratch(filter.size() + 16));
    if (!n) return;
    r.asked.push_back({.filter = std::move(filter)});
    requests_.push_back(std::move(r));
    send(*n);
  }

  std::uint16_t next_packet_id() noexcept {
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

  /// PINGREQ when nothing was sent or nothing was received for the keepalive;
  /// no answer within half of it: the broker is dead (1.5 x keepalive at most).
  void arm_keepalive() {
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
    keepalive_timer_ = loop_.add_timer(wait, [this] {
      keepalive_timer_ = 0;
      check_keepalive();
    });
  }

  void check_keepalive() {
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

  EventLoop& loop_;
  Settings settings_;
  Handler& user_;
  std::unique_ptr<ReconnectingClient> link_;
  detail::Outbox outbox_;
  std::vector<Subscription> subscriptions_;
  std::vector<Request> requests_;             // unanswered SUBSCRIBE / UNSUBSCRIBE
  std::vector<std::uint16_t> incoming_qos2_;  // PUBREC sent, PUBREL awaited
  std::vector<std::string> aliases_in_;
  std::vector<std::string> aliases_out_;
  std::vector<std::byte> scratch_;  // every packet is written here, then copied to the socket
  std::string client_id_;
  Connection* conn_ = nullptr;
  Phase phase_ = Phase::offline;
  bool stopping_ = false;
  bool retired_ = false;
  bool ping_outstanding_ = false;
  bool retain_available_ = true;
  std::uint8_t broker_max_qos_ = 2;
  std::uint16_t send_window_ = 1;
  std::uint16_t alias_limit_ = 0;
  std::uint16_t next_packet_id_ = 1;
  std::uint32_t broker_max_packet_ = codec::kMaxRemainingLength;
  std::chrono::milliseconds keepalive_;
  Clock::time_point last_sent_{}, last_received_{}, ping_deadline_{};
  TimerId connack_timer_ = 0, keepalive_timer_ = 0, pump_timer_ = 0, stop_timer_ = 0;
  Stats stats_;
};

Result<std::unique_ptr<Client>> Client::create(EventLoop& loop, Settings settings,
                                               Handler& handler) {
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
  auto impl = std::make_unique<ClientImpl>(loop, std::move(settings), handler);
  if (auto st = impl->init(); !st) return st.error();
  return std::unique_ptr<Client>(new Client(std::move(impl)));
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
