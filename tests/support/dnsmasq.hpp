// SPDX-License-Identifier: MIT
// dnsmasq (Debian's dnsmasq-base) as the tests' real DNS server: started on
// one address of the caller's network namespace, stopped by its PID.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace sockkit::test {

class Dnsmasq {
 public:
  static constexpr const char* kPath = "/usr/sbin/dnsmasq";
  /// True if the binary is installed.
  static bool available();

  /// Serves `listen`:53 (UDP and TCP) from its own records (`extra` options),
  /// authoritative for *.test (unknown names there are NXDOMAIN), no upstream.
  Dnsmasq(const std::string& listen, const std::vector<std::string>& extra);
  ~Dnsmasq();
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  /// Waits (up to 2 s) until it accepts TCP on port 53, through the kernel's sockets.
  bool ready() const;

 private:
  std::string listen_;
  pid_t pid_ = -1;
};

/// The records the DNS suites share: host.test (A 10.0.0.1, AAAA fd00::1, TTL
/// 300), short.test (A 10.0.0.2, TTL `short_ttl`), alias.test (CNAME host.test),
/// big.test (40 A records: too big for UDP), x.fail.test (a failing upstream).
std::vector<std::string> test_records(unsigned short_ttl = 1);

}  // namespace sockkit::test
