// SPDX-License-Identifier: MIT
// Dialer: one RFC 8305 dial on the loop — name resolution and TCP connects
// racing under one deadline (DialPlan decides, the Dialer does the I/O). The
// winner's stream goes to the owner with the deadline, for its TLS handshake.
// Cancelling, or the deadline, closes every socket the dial opened.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "link/dial_plan.hpp"
#include "sockkit/client.hpp"
#include "sockkit/event_loop.hpp"
#include "sockkit/function.hpp"
#include "sockkit/resolver.hpp"
#include "sockkit/tcp_stream.hpp"

namespace sockkit::link {

/// What a Dialer tells its owner, in this order: begun, then any number of
/// attempt_failed, then exactly one of connected or failed. Each call may
/// cancel or restart the dial.
class DialEvents {
 public:
  /// Connecting starts with `addresses` (those known so far); empty when resolution failed.
  virtual void dial_begun(const std::vector<Endpoint>& /*addresses*/) {}
  /// One address failed (the dial goes on with the others).
  virtual void dial_attempt_failed(const Endpoint& /*to*/, ErrorCode /*why*/) {}
  /// The winner, still to finish its TLS handshake (if any) by `deadline`.
  virtual void dial_connected(TcpStream&& stream, const Endpoint& to,
                              EventLoop::Clock::time_point deadline) = 0;
  /// No connection: resolution failed, every address failed, or the deadline passed.
  virtual void dial_failed(ErrorCode why) = 0;

 protected:
  ~DialEvents() = default;
};

/// One dial's parameters.
struct DialRequest {
  std::string target;                        ///< "host:port" or a numeric endpoint.
  std::chrono::milliseconds timeout{10000};  ///< Negative: no limit of the dial's own.
  ConnectOptions options{};                  ///< How each socket is set up (uplink, keepalive).
  DialTimings timings{};                     ///< RFC 8305's two delays.
  Resolver* resolver = nullptr;              ///< Asked for names; null: names fail.
  /// Replaces the resolver: every address at once (tests, custom directories).
  Function<Result<std::vector<Endpoint>>()> resolve{};
};

class Dialer {
 public:
  /// `timers`: a reservation to take the dial's one timer from (null: the loop's).
  Dialer(EventLoop& loop, DialEvents& events, TimerReservation* timers = nullptr) noexcept;
  ~Dialer();
  Dialer(const Dialer&) = delete;
  Dialer& operator=(const Dialer&) = delete;

  /// Starts a dial (cancelling one in progress). A target that can never be
  /// dialled (malformed, no port) is returned here and nothing is reported.
  Status start(const DialRequest& request) noexcept;
  /// Closes every socket of the dial and its lookup; nothing is reported afterwards.
  void cancel() noexcept;
  /// True from start() until the outcome is reported or cancel().
  bool active() const noexcept { return plan_.has_value(); }

 private:
  class Attempt;
  void drive() noexcept;
  void answered(std::uint64_t epoch, const FamilyAnswer& answer) noexcept;
  void start_attempt(std::uint32_t id, const Endpoint& to) noexcept;
  TcpStream take_attempt(std::uint32_t id) noexcept;
  void attempt_ready(Attempt& attempt) noexcept;
  void on_timer() noexcept;
  void rearm() noexcept;
  void end() noexcept;
  void answer_all(const Result<std::vector<Endpoint>>& found) noexcept;

  EventLoop& loop_;
  DialEvents& events_;
  TimerReservation* timers_;
  std::optional<DialPlan> plan_;
  ConnectOptions options_;
  Resolver* resolver_ = nullptr;
  Resolver::LookupId lookup_ = 0;
  Timer timer_;
  std::optional<EventLoop::Clock::time_point> timer_at_;
  std::vector<std::unique_ptr<Attempt>> attempts_;
  std::uint64_t epoch_ = 0;  // changes with every start() and cancel()
};

}  // namespace sockkit::link
