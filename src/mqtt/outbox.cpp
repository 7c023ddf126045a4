// SPDX-License-Identifier: MIT
#include "mqtt/outbox.hpp"

#include <algorithm>

namespace sockkit::mqtt::detail {
namespace {
// Format 1: no properties (written before MQTT 5 properties were kept);
// format 2 adds the expiry interval and the properties' bytes.
constexpr std::uint8_t kRecordFormat = 2;
constexpr std::size_t kRecordHeaderV1 = 8;  // format, qos, retain, stage, packet id, topic length
constexpr std::size_t kRecordHeader = 16;   // ... then expiry, properties' length

void put_u32(std::vector<std::byte>& r, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    r[at + static_cast<std::size_t>(i)] = std::byte{static_cast<std::uint8_t>(v >> (24 - 8 * i))};
}
}  // namespace

std::vector<std::byte> encode_record(const Pending& p) {
  std::vector<std::byte> r(kRecordHeader + p.topic.size() + p.properties.size() + p.payload.size());
  r[0] = std::byte{kRecordFormat};
  r[1] = std::byte{static_cast<std::uint8_t>(p.qos)};
  r[2] = std::byte{static_cast<std::uint8_t>(p.retain)};
  r[3] = std::byte{static_cast<std::uint8_t>(p.stage)};
  r[4] = std::byte{static_cast<std::uint8_t>(p.packet_id >> 8)};
  r[5] = std::byte{static_cast<std::uint8_t>(p.packet_id)};
  r[6] = std::byte{static_cast<std::uint8_t>(p.topic.size() >> 8)};
  r[7] = std::byte{static_cast<std::uint8_t>(p.topic.size())};
  put_u32(r, 8, p.expiry_s);
  put_u32(r, 12, static_cast<std::uint32_t>(p.properties.size()));
  const auto* topic = reinterpret_cast<const std::byte*>(p.topic.data());
  auto* out = std::copy(topic, topic + p.topic.size(), r.data() + kRecordHeader);
  out = std::copy(p.properties.begin(), p.properties.end(), out);
  std::copy(p.payload.begin(), p.payload.end(), out);
  return r;
}

std::optional<Pending> decode_record(std::uint64_t id, std::span<const std::byte> record) {
  if (record.size() < kRecordHeaderV1) return std::nullopt;
  auto at = [&](std::size_t i) { return std::to_integer<unsigned>(record[i]); };
  auto u32 = [&](std::size_t i) {
    return std::uint32_t{at(i)} << 24 | at(i + 1) << 16 | at(i + 2) << 8 | at(i + 3);
  };
  const unsigned format = at(0);
  const std::size_t header = format == 1 ? kRecordHeaderV1 : kRecordHeader;
  if ((format != 1 && format != 2) || record.size() < header) return std::nullopt;
  const std::size_t topic_length = at(6) << 8 | at(7);
  const std::size_t properties_length = format == 1 ? 0 : u32(12);
  if (at(1) < 1 || at(1) > 2 || at(2) > 1 || at(3) > 2 || topic_length == 0 ||
      record.size() - header < topic_length ||
      record.size() - header - topic_length < properties_length)
    return std::nullopt;
  Pending p;
  p.id = id;
  p.qos = static_cast<QoS>(at(1));
  p.retain = at(2) == 1;
  p.stage = static_cast<Pending::Stage>(at(3));
  p.packet_id = static_cast<std::uint16_t>(at(4) << 8 | at(5));
  if (format == 2) p.expiry_s = u32(8);
  if ((p.stage == Pending::Stage::queued) != (p.packet_id == 0)) return std::nullopt;
  if (p.stage == Pending::Stage::released && p.qos != QoS::exactly_once) return std::nullopt;
  p.topic.assign(reinterpret_cast<const char*>(record.data()) + header, topic_length);
  const auto properties = record.subspan(header + topic_length, properties_length);
  p.properties.assign(properties.begin(), properties.end());
  const auto payload = record.subspan(header + topic_length + properties_length);
  p.payload.assign(payload.begin(), payload.end());
  return p;
}

Status Outbox::restore() {
  if (store_ == nullptr) return {};
  std::vector<std::uint64_t> broken;
  auto st = store_->load([&](std::uint64_t id, std::span<const std::byte> record) {
    auto p = decode_record(id, record);
    if (!p) {
      broken.push_back(id);  // a record nobody can use would block the outbox forever
      return;
    }
    bytes_ += p->bytes();
    if (p->stage != Pending::Stage::queued) ++inflight_;
    next_id_ = std::max(next_id_, id + 1);
    messages_.push_back(std::move(*p));
  });
  for (auto id : broken)
    store_->erase(id);
  return st;
}

Outbox::Dropped Outbox::push(Pending p, Status& stored) {
  Dropped dropped;
  const std::size_t size = p.bytes();
  if (size > max_bytes_ || max_messages_ == 0) {
    dropped = {1, size, true};
    return dropped;
  }
  if (overflow_ == OutboxOverflow::drop_oldest) {
    // Oldest first, but never a message already in flight: its exchange must finish.
    while (over(size)) {
      auto it = std::find_if(messages_.begin(), messages_.end(),
                             [](const Pending& q) { return q.stage == Pending::Stage::queued; });
      if (it == messages_.end()) break;
      ++dropped.messages;
      dropped.bytes += it->bytes();
      erase(it);
    }
  }
  if (over(size)) {
    ++dropped.messages;
    dropped.bytes += size;
    dropped.refused_new = true;
    return dropped;
  }
  if (p.qos != QoS::at_most_once && store_ != nullptr)
    stored = store_->save(p.id, encode_record(p));
  bytes_ += size;
  messages_.push_back(std::move(p));
  return dropped;
}

void Outbox::changed(const Pending& p) noexcept {
  if (p.qos != QoS::at_most_once && store_ != nullptr) (void)store_->save(p.id, encode_record(p));
}

void Outbox::set_stage(Pending& p, Pending::Stage stage) noexcept {
  const bool was = p.stage != Pending::Stage::queued;
  const bool is = stage != Pending::Stage::queued;
  inflight_ = inflight_ + (is ? 1 : 0) - (was ? 1 : 0);
  p.stage = stage;
}

void Outbox::erase(PendingQueue::iterator it) noexcept {
  if (it->qos != QoS::at_most_once && store_ != nullptr) store_->erase(it->id);
  if (it->stage != Pending::Stage::queued) --inflight_;
  bytes_ -= it->bytes();
  messages_.erase(it);
}

PendingQueue::iterator Outbox::find(std::uint16_t packet_id) noexcept {
  // Only in-flight messages carry a packet id: the search ends with the last
  // of them, not at the end of a queue that may hold 100,000 lines.
  std::size_t seen = 0;
  for (auto it = messages_.begin(); it != messages_.end() && seen < inflight_; ++it) {
    if (it->stage == Pending::Stage::queued) continue;
    if (it->packet_id == packet_id) return it;
    ++seen;
  }
  return messages_.end();
}

}  // namespace sockkit::mqtt::detail
