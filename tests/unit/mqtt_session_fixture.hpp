// SPDX-License-Identifier: MIT
// A Session driven by hand for the unit tests: a fake clock, the packets it
// wrote, the events it reported, and the broker's answers as bytes.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mqtt/session.hpp"
#include "support/mqtt_versions.hpp"

namespace sockkit::mqtt::session_test {
using namespace std::chrono_literals;
using codec::PacketType;

inline std::vector<std::byte> bytes(std::initializer_list<int> list) {
  std::vector<std::byte> out;
  for (int b : list)
    out.push_back(static_cast<std::byte>(b));
  return out;
}

inline std::span<const std::byte> text(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

/// One packet the session wrote: its first byte and, for PUBLISH, what it says.
struct Written {
  int type = 0;  // the first byte's high nibble
  int flags = 0;
  std::uint16_t packet_id = 0;  // PUBLISH (QoS > 0), PUBREL, SUBSCRIBE
  std::string topic;
  std::uint16_t topic_alias = 0;
  bool dup = false;
  std::optional<std::uint32_t> expiry;  // PUBLISH, MQTT 5: its message expiry interval
  std::vector<std::byte> packet;        // all of it, for what the fields above leave out
};

struct Fixture {
  SessionClock::time_point t0{std::chrono::hours(1)};
  Options settings;
  std::optional<Session> s;
  EventBatch events;

  explicit Fixture(Version v = Version::v3_1_1) {
    settings.target = "broker.test:1883";
    settings.client_id = "meter";
    settings.version = v;
    settings.keepalive = 10s;
  }
  Session& make() { return s.emplace(settings); }

  /// Every packet in the output, which is then taken.
  std::vector<Written> written() {
    std::vector<Written> out;
    auto data = s->output();
    std::size_t at = 0;
    while (at < data.size()) {
      codec::FixedHeader h;
      EXPECT_EQ(codec::frame(data.subspan(at), 1 << 20, h), codec::Frame::complete);
      const auto body = data.subspan(at + h.header_size, h.remaining);
      Written w;
      w.type = static_cast<int>(h.type);
      w.flags = h.flags;
      const auto whole = data.subspan(at, h.total());
      w.packet.assign(whole.begin(), whole.end());
      if (h.type == PacketType::publish) {
        codec::Properties properties;
        auto p = codec::read_publish(settings.version, h, body, &properties);
        w.expiry = properties.message_expiry;
        EXPECT_TRUE(p);
        if (p) {
          w.packet_id = p->packet_id;
          w.topic = std::string(p->topic);
          w.topic_alias = p->topic_alias;
          w.dup = p->dup;
        }
      } else if (body.size() >= 2) {
        w.packet_id = static_cast<std::uint16_t>(std::to_integer<int>(body[0]) << 8 |
                                                 std::to_integer<int>(body[1]));
      }
      out.push_back(w);
      at += h.total();
    }
    s->output_sent();
    return out;
  }
  std::vector<SessionEvent> take() {
    s->take_events(events);
    return events.events;
  }
  Result<std::size_t> feed(const std::vector<std::byte>& b, std::chrono::milliseconds at = 0ms) {
    return s->receive(b, t0 + at);
  }
  /// CONNECT written and a CONNACK (3.1.1, or 5 with `properties`) received.
  void up(bool session_present = false, std::vector<std::byte> properties = {}) {
    ASSERT_TRUE(s->connected(t0));
    (void)written();
    std::vector<std::byte> connack;
    if (settings.version == Version::v5) {
      connack = bytes({0x20, static_cast<int>(3 + properties.size()), session_present ? 1 : 0, 0,
                       static_cast<int>(properties.size())});
      connack.insert(connack.end(), properties.begin(), properties.end());
    } else {
      connack = bytes({0x20, 2, session_present ? 1 : 0, 0});
    }
    ASSERT_TRUE(feed(connack));
  }
  std::vector<std::byte> ack(PacketType type, std::uint16_t id) {
    std::vector<std::byte> out(8);
    auto n = codec::write_ack(settings.version, type, id, 0, out);
    out.resize(n ? *n : 0);
    return out;
  }
  std::vector<std::byte> publish(const codec::Publish& p) {
    std::vector<std::byte> out(codec::publish_size(settings.version, p));
    auto n = codec::write_publish(settings.version, p, out);
    out.resize(n ? *n : 0);
    return out;
  }
};

constexpr int kConnect = 1, kPublish = 3, kPuback = 4, kPubrec = 5, kPubrel = 6, kPubcomp = 7,
              kSubscribe = 8, kPingreq = 12, kDisconnect = 14;

}  // namespace sockkit::mqtt::session_test
