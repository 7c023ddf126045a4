// SPDX-License-Identifier: MIT
// Two hosts for fault tests, inside a private network namespace (call it from
// a run_in_private_netns body): this process's namespace is host A, and a
// thread holds a second namespace, host B, running an EventLoop there. A veth
// pair joins them: A = 10.77.0.1 / fd77::1 (sk0), B = 10.77.0.2 / fd77::2 (sk1).
// Everything disappears with the process, even when it is killed.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "sockkit/sockkit.hpp"

namespace sockkit::test {

class TwoHosts {
 public:
  TwoHosts() = default;
  ~TwoHosts();
  TwoHosts(const TwoHosts&) = delete;
  TwoHosts& operator=(const TwoHosts&) = delete;

  /// Creates host B and the link; false with the reason in `why`.
  bool setup(std::string& why);
  /// Runs a shell command in A (this namespace) or in B.
  bool in_a(const std::string& command);
  bool in_b(const std::string& command);
  /// The command prefix that runs a program in B ("nsenter --net=...").
  std::string enter_b() const;
  /// Runs `fn` on B's loop thread (sockets made there belong to B) and waits.
  void call_in_b(const std::function<void(EventLoop&)>& fn);

  /// A second link, as a gateway's second uplink: A = 10.79.0.1 (sk2) to
  /// B = 10.79.0.2 (sk3). B also answers on 10.99.0.1 (its loopback), which A
  /// reaches through either link: via sk0 by default, via sk2 with a worse metric.
  bool add_second_link(std::string& why);

  /// A silent blackhole both ways on link 0 (sk0-sk1) or 1 (sk2-sk3): each
  /// side's neighbour entry for the other points at a MAC nobody has, so
  /// frames are dropped on arrival. No RST, no ICMP.
  bool blackhole(int link = 0);
  /// Heals it: real neighbour resolution again.
  bool heal(int link = 0);

 private:
  std::thread b_thread_;
  std::optional<EventLoop> b_loop_;
  int b_tid_ = 0;
};

}  // namespace sockkit::test
