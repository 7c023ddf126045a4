// SPDX-License-Identifier: MIT
#include "support/mosquitto.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/netns.hpp"
#include "support/test_pki.hpp"

namespace sockkit::test {
namespace {

/// `count` different ports nobody on `bind` uses now: the kernel's choices,
/// all held until the last is chosen — a port released at once may well be
/// the kernel's next choice too, and two listeners on one port stop mosquitto.
std::vector<std::uint16_t> free_ports(const std::string& bind, std::size_t count) {
  std::vector<int> held;
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, bind.c_str(), &a.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // another namespace's address: any port is free
      (void)::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    held.push_back(fd);
    ports.push_back(ntohs(a.sin_port));
  }
  for (const int fd : held)
    ::close(fd);
  return ports;
}

}  // namespace

bool Mosquitto::available() {
  return access(kPath, X_OK) == 0 && access("/usr/bin/mosquitto_pub", X_OK) == 0 &&
         access("/usr/bin/mosquitto_passwd", X_OK) == 0;
}

Mosquitto::Mosquitto(std::string bind, const TestPki* pki, std::string prefix)
    : bind_(std::move(bind)), prefix_(std::move(prefix)), pki_(pki) {
  char dir[] = "/tmp/sockkit-mosquitto-XXXXXX";
  dir_ = ::mkdtemp(dir) != nullptr ? dir : "/tmp";
  const auto ports = free_ports(bind_, 5);
  port = ports[0];
  auth_port = ports[1];
  tls_port = ports[2];
  mtls_port = ports[3];
  psk_port = ports[4];
  unix_path = dir_ + "/mqtt.sock";
  shell(std::string("/usr/bin/mosquitto_passwd -b -c ") + dir_ + "/passwd " + kUser + " " +
        kPassword);
  std::ofstream conf(dir_ + "/mosquitto.conf");
  conf << "per_listener_settings true\n"
       << "user root\n"  // as root it would switch to the mosquitto user, who cannot read dir
       << "persistence true\npersistence_location " << dir_ << "/\n"
       << "autosave_interval 1\n"
       // Queues everything for a client that falls behind (by default it drops
       // past 1,000): a message missing from a test is the client's loss.
       << "max_queued_messages 0\n"
       << "log_dest file " << dir_ << "/log\nlog_type all\n"
       << "listener " << port << " " << bind_ << "\nallow_anonymous true\n"
       << "listener " << auth_port << " " << bind_ << "\nallow_anonymous false\npassword_file "
       << dir_ << "/passwd\n"
       << "listener 0 " << unix_path << "\nallow_anonymous true\n";
  if (pki_ != nullptr) {
    conf << "listener " << tls_port << " " << bind_ << "\nallow_anonymous true\ncafile "
         << pki_->ca() << "\ncertfile " << pki_->cert("server") << "\nkeyfile "
         << pki_->key("server") << "\n"
         << "listener " << mtls_port << " " << bind_ << "\nallow_anonymous true\ncafile "
         << pki_->ca() << "\ncertfile " << pki_->cert("server") << "\nkeyfile "
         << pki_->key("server") << "\nrequire_certificate true\n";
    std::ofstream(dir_ + "/psk") << kPskIdentity << ":" << kPskHex << "\n";
    conf << "listener " << psk_port << " " << bind_ << "\nallow_anonymous true\npsk_hint sockkit\n"
         << "psk_file " << dir_ << "/psk\nuse_identity_as_username true\n";
  }
}

Mosquitto::~Mosquitto() {
  stop();
  if (dir_.rfind("/tmp/sockkit-mosquitto-", 0) == 0) shell("rm -rf " + dir_);
}

bool Mosquitto::start(std::string& why) {
  if (pid_ > 0) return true;
  const std::string command = "exec " + prefix_ + " " + kPath + " -c " + dir_ +
                              "/mosquitto.conf >>" + dir_ + "/stderr 2>&1";
  pid_ = fork();
  if (pid_ == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Ready when the anonymous listener answers CONNECT with CONNACK.
  const std::string probe = prefix_ + " /usr/bin/mosquitto_pub -h " + bind_ + " -p " +
                            std::to_string(port) + " -t probe -m x -q 0 >/dev/null 2>&1";
  for (int i = 0; i < 100; ++i) {
    if (shell(probe)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      why = "mosquitto exited at start: " + log();
      return false;
    }
    usleep(50000);
  }
  why = "mosquitto did not answer within 5 s: " + log();
  return false;
}

void Mosquitto::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void Mosquitto::add_option(const std::string& line) {
  std::ofstream(dir_ + "/mosquitto.conf", std::ios::app) << line << "\n";
}

std::string Mosquitto::log() const {
  std::ifstream in(dir_ + "/log");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace sockkit::test
