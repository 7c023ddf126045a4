// SPDX-License-Identifier: MIT
#include "support/web_peers.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <utility>

#include "sockkit/tcp_listener.hpp"
#include "sockkit/tcp_stream.hpp"

#ifndef SOCKKIT_TEST_SUPPORT_DIR
#error "SOCKKIT_TEST_SUPPORT_DIR names tests/support (set by tests/CMakeLists.txt)"
#endif

namespace sockkit::test {

std::uint16_t free_loopback_port() {
  auto l = TcpListener::bind(Endpoint::loopback_v4(0));
  return l ? l->local_endpoint()->port() : 0;
}

void ListeningPeer::start(std::function<std::string(std::uint16_t)> command) {
  command_ = std::move(command);
  port = free_loopback_port();
  process_ = std::make_unique<Spawned>(command_(port));
}

bool ListeningPeer::ready(std::string& why) {
  for (int attempt = 1;; ++attempt) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!process_->done() && std::chrono::steady_clock::now() < until) {
      if (TcpStream::connect(Endpoint::loopback_v4(port), std::chrono::milliseconds(200)) &&
          !process_->done())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    why = "not listening on " + std::to_string(port) + ": " + process_->output();
    if (!process_->done() || attempt == 3) return false;
    port = free_loopback_port();  // most likely taken by another process: another one
    process_ = std::make_unique<Spawned>(command_(port));
  }
}

bool PythonWebSocketServer::available() {
  return access("/usr/bin/python3", X_OK) == 0 &&
         access("/usr/lib/python3/dist-packages/websockets", R_OK) == 0;
}

PythonWebSocketServer::PythonWebSocketServer(const std::string& cert, const std::string& key) {
  start([=](std::uint16_t at) {
    std::string command = std::string("/usr/bin/python3 ") + SOCKKIT_TEST_SUPPORT_DIR +
                          "/ws_server.py " + std::to_string(at);
    if (!cert.empty()) command += " " + cert + " " + key;
    return command;
  });
}

bool Websockify::available() {
  return access("/usr/bin/websockify", X_OK) == 0;
}

Websockify::Websockify(std::uint16_t target, const std::string& cert, const std::string& key) {
  start([=](std::uint16_t at) {
    std::string command = "/usr/bin/websockify";
    if (!cert.empty()) command += " --cert=" + cert + " --key=" + key + " --ssl-only";
    return command + " 127.0.0.1:" + std::to_string(at) + " 127.0.0.1:" + std::to_string(target);
  });
}

bool TinyProxy::available() {
  return access("/usr/bin/tinyproxy", X_OK) == 0;
}

TinyProxy::TinyProxy(const std::string& user, const std::string& password) {
  char dir[] = "/tmp/sockkit-tinyproxy-XXXXXX";
  dir_ = ::mkdtemp(dir) != nullptr ? dir : "/tmp";
  start([this, user, password](std::uint16_t at) {
    // No ConnectPort line: CONNECT to any port (tinyproxy's own default file allows 443 and 563).
    std::ofstream conf(dir_ + "/tinyproxy.conf");
    conf << "Port " << at << "\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\n"
         << "Allow 127.0.0.1\nLogLevel Info\n";
    if (!user.empty()) conf << "BasicAuth " << user << " " << password << "\n";
    return "/usr/bin/tinyproxy -d -c " + dir_ + "/tinyproxy.conf";
  });
}

TinyProxy::~TinyProxy() {
  stop();
  if (dir_.rfind("/tmp/sockkit-tinyproxy-", 0) == 0) {
    std::remove((dir_ + "/tinyproxy.conf").c_str());
    ::rmdir(dir_.c_str());
  }
}

}  // namespace sockkit::test
