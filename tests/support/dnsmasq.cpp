// SPDX-License-Identifier: MIT
#include "support/dnsmasq.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace sockkit::test {

bool Dnsmasq::available() {
  return access(kPath, X_OK) == 0;
}

Dnsmasq::Dnsmasq(const std::string& listen, const std::vector<std::string>& extra)
    : listen_(listen) {
  std::vector<std::string> args = {kPath,
                                   "--keep-in-foreground",
                                   "--no-resolv",
                                   "--no-hosts",
                                   "--bind-interfaces",
                                   "--user=root",
                                   "--pid-file=",
                                   "--listen-address=" + listen,
                                   "--local=/test/",
                                   "--log-facility=/dev/null"};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(kPath, argv.data());
    _exit(127);
  }
}

Dnsmasq::~Dnsmasq() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
}

bool Dnsmasq::ready() const {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(53);
  if (inet_pton(AF_INET, listen_.c_str(), &to.sin_addr) != 1) return false;
  for (int i = 0; i < 100; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
    ::close(fd);
    if (ok) return true;
    usleep(20000);
  }
  return false;
}

std::vector<std::string> test_records(unsigned short_ttl) {
  // Written beside and renamed into place: tests run in parallel, and a file
  // another process truncates while this one's dnsmasq reads it looks empty.
  static const std::string big_hosts = [] {
    const std::string path = "/tmp/sockkit-dns-big.hosts";
    const std::string part = path + "." + std::to_string(::getpid());
    {
      std::ofstream big(part);
      for (int i = 1; i <= 40; ++i)
        big << "10.0.1." << i << " big.test\n";
    }
    std::rename(part.c_str(), path.c_str());
    return path;
  }();
  return {"--host-record=host.test,10.0.0.1,fd00::1,300",
          "--host-record=short.test,10.0.0.2," + std::to_string(short_ttl),
          "--cname=alias.test,host.test", "--addn-hosts=" + big_hosts,
          "--server=/fail.test/10.53.0.9"};
}

}  // namespace sockkit::test
