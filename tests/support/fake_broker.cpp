// SPDX-License-Identifier: MIT
#include "support/fake_broker.hpp"

#include <array>

namespace sockkit::test {

using mqtt::codec::PacketType;

namespace {
unsigned at(const std::vector<std::byte>& b, std::size_t i) {
  return i < b.size() ? std::to_integer<unsigned>(b[i]) : 0;
}
}  // namespace

std::uint16_t MqttPacket::packet_id() const {
  std::size_t i = 0;
  if (type() == PacketType::publish) i = 2 + (at(body, 0) << 8 | at(body, 1));
  return static_cast<std::uint16_t>(at(body, i) << 8 | at(body, i + 1));
}

std::string MqttPacket::topic() const {
  const std::size_t n = at(body, 0) << 8 | at(body, 1);
  return std::string(reinterpret_cast<const char*>(body.data()) + 2, n);
}

std::string MqttPacket::payload() const {
  std::size_t i = 2 + (at(body, 0) << 8 | at(body, 1));
  if (qos() > 0) i += 2;
  if (v5) i += 1 + at(body, i);  // the property block (short in these tests)
  return std::string(reinterpret_cast<const char*>(body.data()) + i, body.size() - i);
}

std::unique_ptr<FakeBroker> FakeBroker::start(EventLoop& loop, mqtt::Version version,
                                              const Endpoint& at_endpoint) {
  std::unique_ptr<FakeBroker> b(new FakeBroker(version));
  auto s = Server::start(loop, at_endpoint, *b);
  if (!s) return nullptr;
  b->server_ = std::move(*s);
  return b;
}

FakeBroker::~FakeBroker() {
  server_.reset();
}

std::string FakeBroker::target() const {
  return server_->local_endpoint().to_string();
}

void FakeBroker::on_open(Connection& c) {
  if (current_ != nullptr) current_->close();
  current_ = &c;
  ++connections;
}

void FakeBroker::on_close(Connection& c, std::error_code) {
  if (&c == current_) current_ = nullptr;
}

Result<std::size_t> FakeBroker::on_data(Connection& c, std::span<const std::byte> data) {
  std::size_t used = 0;
  while (&c == current_) {
    mqtt::codec::FixedHeader h;
    if (mqtt::codec::frame(data.subspan(used), 1 << 20, h) != mqtt::codec::Frame::complete) break;
    MqttPacket p{h, {}, connections, version_ == mqtt::Version::v5};
    auto body = data.subspan(used + h.header_size, h.remaining);
    p.body.assign(body.begin(), body.end());
    used += h.total();
    received.push_back(p);
    if (on_packet && on_packet(p)) continue;
    answer(p);
  }
  return used;
}

void FakeBroker::ack(PacketType type, std::uint16_t id) {
  std::array<std::byte, 8> out{};
  if (auto n = mqtt::codec::write_ack(version_, type, id, 0, out)) send(std::span(out.data(), *n));
}

void FakeBroker::answer(const MqttPacket& p) {
  const bool v5 = version_ == mqtt::Version::v5;
  switch (p.type()) {
    case PacketType::connect: {
      if (!answer_connect) return;
      std::vector<std::byte> out = {std::byte{0x20}, std::byte{0}, std::byte{session_present},
                                    std::byte{connack_code}};
      if (v5) {
        out.push_back(std::byte(connack_properties.size()));
        out.insert(out.end(), connack_properties.begin(), connack_properties.end());
      }
      out[1] = std::byte(out.size() - 2);
      send(out);
      return;
    }
    case PacketType::publish:
      if (!ack_publish || p.qos() == 0) return;
      ack(p.qos() == 1 ? PacketType::puback : PacketType::pubrec, p.packet_id());
      return;
    case PacketType::pubrel:
      if (ack_publish) ack(PacketType::pubcomp, p.packet_id());
      return;
    case PacketType::subscribe: {
      // packet id, (v5: property length 0), then filters: length, text, options.
      std::vector<std::byte> codes;
      std::size_t i = v5 ? 3 : 2;
      while (i + 2 < p.body.size()) {
        const std::size_t n = at(p.body, i) << 8 | at(p.body, i + 1);
        i += 2 + n;
        codes.push_back(std::byte(suback_code == 0xff ? (at(p.body, i) & 3) : suback_code));
        ++i;
      }
      std::vector<std::byte> out = {std::byte{0x90}, std::byte{0}, p.body[0], p.body[1]};
      if (v5) out.push_back(std::byte{0});
      out.insert(out.end(), codes.begin(), codes.end());
      out[1] = std::byte(out.size() - 2);
      send(out);
      return;
    }
    case PacketType::unsubscribe: {
      std::vector<std::byte> out = {std::byte{0xb0}, std::byte{2}, p.body[0], p.body[1]};
      if (v5) {
        out.push_back(std::byte{0});
        out.push_back(std::byte{0});
        out[1] = std::byte{4};
      }
      send(out);
      return;
    }
    case PacketType::pingreq:
      if (answer_ping) send({0xd0, 0});
      return;
    default:
      return;
  }
}

void FakeBroker::send(std::span<const std::byte> bytes) {
  if (current_ != nullptr) (void)current_->send(bytes);
}

void FakeBroker::send(std::initializer_list<int> bytes) {
  std::vector<std::byte> out;
  for (int b : bytes)
    out.push_back(std::byte(b));
  send(out);
}

void FakeBroker::publish(std::string_view topic, std::string_view payload, int qos,
                         std::uint16_t id, bool dup, std::uint16_t alias) {
  std::vector<std::byte> out(64 + topic.size() + payload.size());
  const mqtt::codec::Publish p{.topic = topic,
                               .payload = std::as_bytes(std::span(payload.data(), payload.size())),
                               .qos = static_cast<mqtt::QoS>(qos),
                               .dup = dup,
                               .packet_id = id,
                               .topic_alias = alias};
  if (auto n = mqtt::codec::write_publish(version_, p, out)) send(std::span(out.data(), *n));
}

void FakeBroker::drop() {
  if (current_ != nullptr) current_->close();
}

std::vector<MqttPacket> FakeBroker::of(PacketType type) const {
  std::vector<MqttPacket> out;
  for (const auto& p : received)
    if (p.type() == type) out.push_back(p);
  return out;
}

}  // namespace sockkit::test
