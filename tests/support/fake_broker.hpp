// SPDX-License-Identifier: MIT
// An MQTT broker for tests that runs on the test's own loop, so the client
// suite is the same on every stack. By default it answers as a broker does
// (CONNACK, PUBACK, PUBREC/PUBCOMP, SUBACK, PINGRESP); each answer can be
// switched off, and a test can send any bytes it likes — the ways brokers
// misbehave.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mqtt/codec.hpp"
#include "sockkit/sockkit.hpp"

namespace sockkit::test {

struct MqttPacket {
  mqtt::codec::FixedHeader header;
  std::vector<std::byte> body;
  int connection = 0;  ///< 1 for the first connection, 2 for the next...
  bool v5 = false;
  mqtt::codec::PacketType type() const { return header.type; }
  /// The packet id of a PUBLISH (QoS > 0), PUBREL, SUBSCRIBE... (first two bytes
  /// after the topic for PUBLISH).
  std::uint16_t packet_id() const;
  /// PUBLISH: topic, payload, flags.
  std::string topic() const;
  std::string payload() const;
  bool dup() const { return (header.flags & 0x08) != 0; }
  int qos() const { return (header.flags >> 1) & 3; }
};

class FakeBroker final : ConnectionHandler {
 public:
  /// Listens on `at` (loopback, port 0 for a free one).
  static std::unique_ptr<FakeBroker> start(EventLoop& loop, mqtt::Version version,
                                           const Endpoint& at);
  ~FakeBroker();

  std::string target() const;  ///< For Options::target.

  // What it does (each may be changed at any time).
  bool answer_connect = true;
  std::uint8_t connack_code = 0;  ///< Return code (3.1.1) or reason code (5).
  bool session_present = false;
  std::vector<std::byte> connack_properties;  ///< MQTT 5 CONNACK properties (raw).
  bool answer_ping = true;
  bool ack_publish = true;          ///< PUBACK / PUBREC / PUBCOMP for the client's PUBLISH
  std::uint8_t suback_code = 0xff;  ///< 0xff: grant what was asked
  /// Called for every packet after the default answer (or instead: return true).
  std::function<bool(const MqttPacket&)> on_packet;

  std::vector<MqttPacket> received;  ///< Everything the client sent, in order.
  int connections = 0;

  /// Raw bytes to the current connection.
  void send(std::span<const std::byte> bytes);
  void send(std::initializer_list<int> bytes);
  /// A PUBLISH to the client.
  void publish(std::string_view topic, std::string_view payload, int qos, std::uint16_t id,
               bool dup = false, std::uint16_t alias = 0);
  /// Closes the current connection (as a crash would: no DISCONNECT).
  void drop();
  bool connected() const { return current_ != nullptr; }
  /// Packets of one type the client sent.
  std::vector<MqttPacket> of(mqtt::codec::PacketType type) const;

 private:
  FakeBroker(mqtt::Version version) : version_(version) {}
  void on_open(Connection& c) override;
  Result<std::size_t> on_data(Connection& c, std::span<const std::byte> data) override;
  void on_close(Connection& c, std::error_code) override;
  void answer(const MqttPacket& p);
  void ack(mqtt::codec::PacketType type, std::uint16_t id);

  mqtt::Version version_;
  std::optional<Server> server_;
  Connection* current_ = nullptr;
};

}  // namespace sockkit::test
