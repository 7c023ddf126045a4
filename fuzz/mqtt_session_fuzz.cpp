// SPDX-License-Identifier: MIT
// The MQTT session on any bytes a broker might send, after CONNECT, with
// publications of its own queued: the first byte picks the version and whether
// the session is resumed; the rest arrives in pieces, with pump() and the
// clock advanced between them. Never crashes, everything it writes frames
// into whole packets, and every message event points inside its batch.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "mqtt/session.hpp"

namespace {

using namespace sockkit::mqtt;
using namespace std::chrono_literals;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_output(Session& s) {
  auto out = s.output();
  std::size_t at = 0;
  while (at < out.size()) {
    codec::FixedHeader h;
    check(codec::frame(out.subspan(at), 1 << 20, h) == codec::Frame::complete);
    at += h.total();
  }
  s.output_sent();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Options settings;
  settings.target = "broker:1883";
  settings.client_id = "fuzz";
  settings.version = (data[0] & 1) != 0 ? Version::v5 : Version::v3_1_1;
  settings.clean_session = (data[0] & 2) == 0;
  settings.keepalive = 10s;
  settings.outbox_messages = 8;
  const std::size_t piece = 1 + data[1] % 64;
  auto in = std::as_bytes(std::span(data + 2, size - 2));

  Session s(settings);
  auto now = SessionClock::time_point(std::chrono::hours(1));
  for (const char* topic : {"a/b", "a/c", "d"})
    (void)s.publish(topic, std::as_bytes(std::span("payload", 7)), QoS::at_least_once, false);
  (void)s.publish("e", {}, QoS::exactly_once, true);
  (void)s.subscribe({{.filter = "x/#", .qos = QoS::exactly_once}});
  if (!s.connected(now)) return 0;
  check_output(s);
  EventBatch batch;
  std::vector<std::byte> pending;  // what the transport holds until a whole packet is in
  for (std::size_t at = 0; at < in.size(); at += piece) {
    auto chunk = in.subspan(at, std::min(piece, in.size() - at));
    pending.insert(pending.end(), chunk.begin(), chunk.end());
    auto used = s.receive(pending, now);
    if (!used) break;  // the adapter closes the connection here
    check(*used <= pending.size());
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(*used));
    s.pump(64 << 10, now);
    check_output(s);
    s.take_events(batch);
    for (const auto& e : batch.events)
      if (e.kind == SessionEvent::Kind::message) {
        check(e.topic_at + e.topic_size <= batch.bytes.size());
        check(e.payload_at + e.payload_size <= batch.bytes.size());
      } else if (e.kind == SessionEvent::Kind::subscribed) {
        check(e.subscription < batch.subscriptions.size());
      }
    now += 3s;
    if (s.advance(now)) break;
    check_output(s);
    if (auto next = s.next_deadline()) check(*next >= now - 20s);
  }
  return 0;
}
