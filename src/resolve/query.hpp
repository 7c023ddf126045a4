// SPDX-License-Identifier: MIT
// One DNS question (a name and a type) asked of the configured servers: UDP
// tries with rotation and retries, TCP when an answer is truncated. Each
// query has its own socket on a random port and a random id per try
// (RFC 5452); an answer counts only from a server that was asked, with an id
// it was sent and the question it was asked.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "resolve/dns_message.hpp"
#include "sockkit/function.hpp"
#include "sockkit/resolver.hpp"
#include "sockkit/tcp_stream.hpp"
#include "sockkit/udp_channel.hpp"

namespace sockkit::resolve_detail {

/// What a query needs from its resolver, copied at start.
struct QueryPlan {
  std::vector<Endpoint> servers;  // with their ports
  std::chrono::milliseconds timeout{5000};
  unsigned attempts = 2;
  bool rotate = false;
  bool tcp_fallback = true;
};

/// A server's answer with its address records, copied out of the message.
struct Reply {
  dns::Answer answer;
  std::vector<dns::AddressRecord> addresses;
};

class Query final : UdpHandler, IoHandler {
 public:
  /// The server's answer (NOERROR or NXDOMAIN), or why there is none:
  /// resolve_timeout (nobody answered), dns_server_failure, dns_malformed_answer
  /// or a socket error.
  using Done = Function<void(Result<Reply> reply, const Endpoint& server)>;

  /// `timers` keeps a slot for this query's one timer.
  Query(EventLoop& loop, TimerReservation& timers, ResolverStats& stats, QueryPlan plan,
        std::string name, dns::RecordType type, Done done);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  /// Sends the first try. `done` is called later, on the loop, exactly once
  /// (unless the query is retired first).
  void start() noexcept;
  /// No more callbacks; sockets closed, timers cancelled.
  void retire() noexcept;

 private:
  struct Sent {
    Endpoint server;
    std::uint16_t id = 0;
  };

  void next_try() noexcept;
  Status send_try(const Endpoint& server) noexcept;
  void on_datagram(UdpChannel& channel, std::span<const std::byte> data,
                   const Datagram& info) override;
  void on_receive_error(UdpChannel& channel, ErrorCode why) override;
  void on_io(unsigned events) noexcept override;
  void accept_answer(std::span<const std::byte> message, std::uint16_t id,
                     const Endpoint& server) noexcept;
  void start_tcp(const Endpoint& server) noexcept;
  void tcp_failed(ErrorCode why) noexcept;
  void stop_tcp() noexcept;
  void arm_timer() noexcept;
  void finish(Result<Reply> reply, const Endpoint& server) noexcept;
  /// Ends the query with `answer`, whose addresses are read from `message`.
  void finish_with(std::span<const std::byte> message, const dns::Answer& answer,
                   const Endpoint& server) noexcept;
  /// Runs `fn` on the loop's next iteration, unless this query is retired by then.
  void later(Function<void()> fn);

  EventLoop& loop_;
  TimerReservation& timers_;
  ResolverStats& stats_;
  QueryPlan plan_;
  std::string name_;
  dns::RecordType type_;
  Done done_;
  // A socket per try, connected to its server so that a closed port (ICMP
  // port unreachable) ends the try at once; the last few stay open for late answers.
  std::array<std::optional<UdpChannel>, 4> channels_;
  std::array<Sent, 16> sent_{};
  std::size_t sent_count_ = 0;
  unsigned tries_ = 0;
  unsigned first_server_ = 0;
  ErrorCode last_error_{};
  Timer timer_;  // on the lookup's reserved slots; cancelled by retire()
  bool retired_ = false;
  SoonId later_ = 0;
  // TCP, after a truncated answer.
  TcpStream tcp_;
  Endpoint tcp_server_;
  std::uint16_t tcp_id_ = 0;
  bool tcp_connecting_ = false;
  std::vector<std::byte> tcp_out_, tcp_in_;
  std::size_t tcp_out_done_ = 0;
};

}  // namespace sockkit::resolve_detail
