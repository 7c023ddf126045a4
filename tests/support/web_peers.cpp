// SPDX-License-Identifier: MIT
#include "support/web_peers.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

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

bool wait_for_listener(std::uint16_t port, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (TcpStream::connect(Endpoint::loopback_v4(port), std::chrono::milliseconds(200)))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

namespace {

bool wait_ready(Spawned& process, std::uint16_t port, std::string& why) {
  if (wait_for_listener(port, std::chrono::seconds(10)) && !process.done()) return true;
  why = "not listening on " + std::to_string(port) + ": " + process.output();
  return false;
}

}  // namespace

bool PythonWebSocketServer::available() {
  return access("/usr/bin/python3", X_OK) == 0 &&
         access("/usr/lib/python3/dist-packages/websockets", R_OK) == 0;
}

PythonWebSocketServer::PythonWebSocketServer(const std::string& cert, const std::string& key)
    : port(free_loopback_port()) {
  std::string command = std::string("/usr/bin/python3 ") + SOCKKIT_TEST_SUPPORT_DIR +
                        "/ws_server.py " + std::to_string(port);
  if (!cert.empty()) command += " " + cert + " " + key;
  process_ = std::make_unique<Spawned>(command);
}

bool PythonWebSocketServer::ready(std::string& why) {
  return wait_ready(*process_, port, why);
}

bool Websockify::available() {
  return access("/usr/bin/websockify", X_OK) == 0;
}

Websockify::Websockify(std::uint16_t target, const std::string& cert, const std::string& key)
    : port(free_loopback_port()) {
  std::string command = "/usr/bin/websockify";
  if (!cert.empty()) command += " --cert=" + cert + " --key=" + key + " --ssl-only";
  command += " 127.0.0.1:" + std::to_string(port) + " 127.0.0.1:" + std::to_string(target);
  process_ = std::make_unique<Spawned>(command);
}

bool Websockify::ready(std::string& why) {
  return wait_ready(*process_, port, why);
}

bool TinyProxy::available() {
  return access("/usr/bin/tinyproxy", X_OK) == 0;
}

TinyProxy::TinyProxy(const std::string& user, const std::string& password)
    : port(free_loopback_port()) {
  char dir[] = "/tmp/sockkit-tinyproxy-XXXXXX";
  dir_ = ::mkdtemp(dir) != nullptr ? dir : "/tmp";
  {
    // No ConnectPort line: CONNECT to any port (tinyproxy's own default file allows 443 and 563).
    std::ofstream conf(dir_ + "/tinyproxy.conf");
    conf << "Port " << port << "\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\n"
         << "Allow 127.0.0.1\nLogLevel Info\n";
    if (!user.empty()) conf << "BasicAuth " << user << " " << password << "\n";
  }
  process_ = std::make_unique<Spawned>("/usr/bin/tinyproxy -d -c " + dir_ + "/tinyproxy.conf");
}

TinyProxy::~TinyProxy() {
  process_.reset();
  if (dir_.rfind("/tmp/sockkit-tinyproxy-", 0) == 0) {
    std::remove((dir_ + "/tinyproxy.conf").c_str());
    ::rmdir(dir_.c_str());
  }
}

bool TinyProxy::ready(std::string& why) {
  return wait_ready(*process_, port, why);
}

}  // namespace sockkit::test
