// SPDX-License-Identifier: MIT
// Web peers independent of sockkit, from Debian, started per test and stopped
// by PID: python3-websockets' server (tests/support/ws_server.py), websockify,
// which puts a WebSocket endpoint in front of a TCP service (mosquitto here:
// Debian's is built without its own WebSocket listener), and tinyproxy, an
// HTTP proxy that tunnels with CONNECT.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "support/spawned.hpp"

namespace sockkit::test {

/// A port free on 127.0.0.1 right now (for a program that cannot report the one it picked).
std::uint16_t free_loopback_port();

/// A program that listens on a port chosen free for it. Another process can
/// take that port before the program binds it (the program then exits at
/// once): ready() starts it again on another port, up to three times.
class ListeningPeer {
 public:
  /// Up and listening (false with the program's output in `why`).
  bool ready(std::string& why);
  std::uint16_t port = 0;

 protected:
  /// Starts the command line `command` gives for a port.
  void start(std::function<std::string(std::uint16_t)> command);
  void stop() { process_.reset(); }

 private:
  std::function<std::string(std::uint16_t)> command_;
  std::unique_ptr<Spawned> process_;
};

/// python3-websockets' server on 127.0.0.1 (wss with a certificate and key).
class PythonWebSocketServer : public ListeningPeer {
 public:
  static bool available();
  PythonWebSocketServer(const std::string& cert = {}, const std::string& key = {});
};

/// websockify on 127.0.0.1 in front of 127.0.0.1:`target` (wss only, with a certificate).
class Websockify : public ListeningPeer {
 public:
  static bool available();
  explicit Websockify(std::uint16_t target, const std::string& cert = {},
                      const std::string& key = {});
};

/// tinyproxy on 127.0.0.1, tunnelling to any port; with a user, only for
/// Basic credentials `user`:`password`.
class TinyProxy : public ListeningPeer {
 public:
  static bool available();
  explicit TinyProxy(const std::string& user = {}, const std::string& password = {});
  ~TinyProxy();
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }

 private:
  std::string dir_;
};

}  // namespace sockkit::test
