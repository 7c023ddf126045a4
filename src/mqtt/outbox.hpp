// SPDX-License-Identifier: MIT
// The MQTT client's outbox: every publication from publish() until it is done
// (written for QoS 0, acknowledged for QoS 1 and 2), in order, within a bound
// in bytes and in messages. QoS 1 and 2 messages are mirrored to an optional
// MessageStore so they survive a restart.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/front_erasable_queue.hpp"
#include "sockkit/clock.hpp"
#include "sockkit/mqtt.hpp"

namespace sockkit::mqtt::detail {

struct Pending {
  enum class Stage : std::uint8_t {
    queued,     ///< not sent on this connection
    published,  ///< PUBLISH sent, PUBACK or PUBREC awaited
    released,   ///< QoS 2: PUBREC received, PUBREL sent, PUBCOMP awaited
  };
  std::uint64_t id = 0;
  std::string topic;
  std::vector<std::byte> payload;
  /// MQTT 5: the properties the PUBLISH carries (all but expiry and alias).
  std::vector<std::byte> properties;
  std::uint32_t expiry_s = 0;  ///< MQTT 5 message expiry interval; 0: none.
  /// When it expires (expiry_s != 0): counted from publish(), or from the
  /// restart for a message read back from the store.
  LoopClock::time_point expires_at{};
  QoS qos = QoS::at_most_once;
  bool retain = false;
  Stage stage = Stage::queued;
  std::uint16_t packet_id = 0;
  std::uint64_t written_mark = 0;  ///< packets received from the broker when last sent
  std::uint8_t hang_ups = 0;       ///< connections the broker closed on it, in a row
  std::size_t bytes() const noexcept { return topic.size() + payload.size() + properties.size(); }
};

/// A store record: the message and where it is in the exchange.
std::vector<std::byte> encode_record(const Pending& p);
/// Reads a record back; nullopt for bytes that are not one (a torn or foreign file).
std::optional<Pending> decode_record(std::uint64_t id, std::span<const std::byte> record);

using PendingQueue = net::FrontErasableQueue<Pending>;

class Outbox {
 public:
  struct Dropped {
    std::size_t messages = 0;
    std::size_t bytes = 0;
    bool refused_new = false;
  };

  Outbox(std::size_t max_bytes, std::size_t max_messages, OutboxOverflow overflow,
         MessageStore* store) noexcept
      : max_bytes_(max_bytes), max_messages_(max_messages), overflow_(overflow), store_(store) {}

  /// Reads the store's records (in id order) into the outbox.
  Status restore();
  /// Adds a publication, dropping by the policy to stay within bounds.
  Dropped push(Pending p, Status& stored);
  /// Saves a QoS 1/2 message's new stage (or packet id) to the store.
  void changed(const Pending& p) noexcept;
  /// Removes a message that is done.
  void erase(PendingQueue::iterator it) noexcept;

  /// The in-flight message with this packet id, or end().
  PendingQueue::iterator find(std::uint16_t packet_id) noexcept;
  PendingQueue& messages() noexcept { return messages_; }
  const PendingQueue& messages() const noexcept { return messages_; }
  std::size_t bytes() const noexcept { return bytes_; }
  std::size_t inflight() const noexcept { return inflight_; }
  /// Keeps the in-flight count when a message's stage changes by hand.
  void set_stage(Pending& p, Pending::Stage stage) noexcept;
  std::uint64_t next_id() noexcept { return next_id_++; }

 private:
  bool over(std::size_t extra_bytes) const noexcept {
    return bytes_ + extra_bytes > max_bytes_ || messages_.size() + 1 > max_messages_;
  }
  PendingQueue messages_;
  std::size_t bytes_ = 0;
  std::size_t inflight_ = 0;
  std::uint64_t next_id_ = 1;
  std::size_t max_bytes_;
  std::size_t max_messages_;
  OutboxOverflow overflow_;
  MessageStore* store_;
};

}  // namespace sockkit::mqtt::detail
