// SPDX-License-Identifier: MIT
// mosquitto (Debian's broker) as the tests' real MQTT broker: its own
// directory, configuration and password file, listeners on free ports —
// anonymous, with a password, TLS, mutual TLS and a Unix socket — and
// persistence, so a restart keeps sessions. Started and stopped by PID.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sockkit::test {

class TestPki;

class Mosquitto {
 public:
  static constexpr const char* kPath = "/usr/sbin/mosquitto";
  static constexpr const char* kUser = "meter";
  static constexpr const char* kPassword = "s3cret";
  static constexpr const char* kPskIdentity = "meter-psk";                    ///< psk_port's client
  static constexpr const char* kPskHex = "5ec12e7c0ffee0123456789abcdef012";  ///< its key
  /// True if the broker and its clients are installed.
  static bool available();

  /// Listeners on `bind` (TLS ones only with `pki`); `prefix` runs the broker
  /// through another command (nsenter, to put it in another namespace).
  explicit Mosquitto(std::string bind = "127.0.0.1", const TestPki* pki = nullptr,
                     std::string prefix = "");
  ~Mosquitto();
  Mosquitto(const Mosquitto&) = delete;
  Mosquitto& operator=(const Mosquitto&) = delete;

  /// Starts it and waits (up to 5 s) until it accepts MQTT; false with the log.
  bool start(std::string& why);
  /// SIGTERM (mosquitto saves its sessions), then waits for it.
  void stop();
  /// Appends a line to the configuration, for the next start().
  void add_option(const std::string& line);

  std::string target(std::uint16_t on) const { return bind_ + ":" + std::to_string(on); }
  std::uint16_t port = 0;       ///< anonymous
  std::uint16_t auth_port = 0;  ///< user kUser, password kPassword; no anonymous
  std::uint16_t tls_port = 0;   ///< TLS with the test PKI's "server" certificate
  std::uint16_t mtls_port = 0;  ///< TLS and a client certificate from the test CA
  std::uint16_t psk_port = 0;   ///< TLS-PSK: kPskIdentity with the key kPskHex
  std::string unix_path;        ///< anonymous, over a Unix socket
  const std::string& dir() const { return dir_; }
  std::string log() const;

 private:
  std::string bind_, prefix_, dir_;
  const TestPki* pki_;
  pid_t pid_ = -1;
};

}  // namespace sockkit::test
