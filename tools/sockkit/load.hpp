// SPDX-License-Identifier: MIT
// The load generator behind `sockkit bench` and `sockkit demo`: K active
// connections with a pipeline of fixed-size messages, N idle ones, every
// echoed byte checked against what was sent.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "echo_handler.hpp"
#include "histogram.hpp"

namespace sockkit::cli {

struct LoadSpec {
  Endpoint target;
  int connections = 10;
  std::size_t message_size = 64;
  int pipeline = 1;
  int idle = 0;
  std::chrono::milliseconds duration{5000};
  /// Pause after opening the idle connections, so the server has accepted them
  /// all before measuring starts.
  std::chrono::milliseconds settle{1000};
  std::uint64_t max_messages =
      0;  ///< Stop after this many echoed messages (0 = run for `duration`).
  /// Client threads, each with its share of the active connections.
  int threads = 1;
  /// Each thread spins over its connections with non-blocking reads instead
  /// of waiting in epoll: more load per client core, one core per thread busy.
  bool busy_poll = false;
  /// Echoes are counted, not checked: read with MSG_TRUNC (the kernel drops
  /// the bytes without copying them) and the messages sent are built once, so
  /// the load generator spends less CPU per byte than the server it loads.
  bool discard = false;
  /// A process on this machine (the server) whose CPU time over the timed run
  /// goes into LoadResult::watched_cpu_seconds; 0 = none.
  int watch_pid = 0;
  /// Set (from a signal handler, say) to end the run early; what was measured counts.
  const std::atomic<bool>* cancel = nullptr;
};

struct LoadResult {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;  ///< Echoed payload bytes (one direction).
  double seconds = 0;
  Histogram latency_ns;
  std::uint64_t mismatches = 0;  ///< Echoed bytes that differ from what was sent.
  std::error_code error;         ///< First connection error, if any.
  /// CPU seconds LoadSpec::watch_pid used over the timed run (-1: not watched).
  double watched_cpu_seconds = -1;
  double messages_per_second() const {
    return seconds > 0 ? static_cast<double>(messages) / seconds : 0;
  }
  double megabytes_per_second() const {
    return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0;
  }
};

/// Byte k of message m on connection c: every byte checkable, no two messages alike.
inline std::byte pattern(std::uint64_t c, std::uint64_t m, std::uint64_t k) noexcept {
  return static_cast<std::byte>((c * 97 + m * 31 + k * 13) & 0xff);
}

/// Runs the load on the calling thread and spec.threads - 1 more (an epoll
/// loop each, or busy-polling). `progress` is called about every 250 ms with
/// the elapsed fraction (0..1), from the calling thread.
Result<LoadResult> run_load(const LoadSpec& spec,
                            const std::function<void(double)>& progress = nullptr);

/// The same load over TLS connections made with `tls` (a client context).
Result<LoadResult> run_tls_load(const LoadSpec& spec, std::shared_ptr<TlsContext> tls);

/// Handshakes per second: `concurrency` connections that each open (full
/// handshake, or resumed when the context resumes sessions), exchange one
/// byte and close again, for `duration`. Returns the handshakes completed.
Result<std::uint64_t> run_handshakes(const Endpoint& target, std::shared_ptr<TlsContext> tls,
                                     int concurrency, std::chrono::milliseconds duration,
                                     std::uint64_t* resumed = nullptr);

/// An echo server on its own loop thread, for bench and demo without a separate process.
class EchoServerThread {
 public:
  static Result<std::unique_ptr<EchoServerThread>> start(Backend backend,
                                                         std::size_t max_connections);
  ~EchoServerThread();
  Endpoint endpoint() const { return endpoint_; }
  Backend backend() const { return backend_; }
  /// The server loop's descriptor limit (FD_SETSIZE for select), 0 = none.
  int descriptor_limit() const { return loop_->descriptor_limit(); }

 private:
  EchoServerThread() = default;
  std::optional<EventLoop> loop_;
  std::optional<Server> server_;
  EchoHandler echo_;
  std::thread thread_;
  Endpoint endpoint_;
  Backend backend_{};
};

/// User plus system CPU seconds process `pid` has used so far; -1 if it cannot be read.
double process_cpu_seconds(int pid);

/// Raises the soft descriptor limit towards the hard one; returns the new soft limit.
std::size_t raise_descriptor_limit(std::size_t wanted);

}  // namespace sockkit::cli
