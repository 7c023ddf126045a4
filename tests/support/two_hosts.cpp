// SPDX-License-Identifier: MIT
// See two_hosts.hpp. Host B is a thread that unshared its network namespace;
// commands reach it with nsenter through /proc/<tid>/ns/net.
#include "support/two_hosts.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <future>

#include "support/netns.hpp"

namespace sockkit::test {

TwoHosts::~TwoHosts() {
  if (b_loop_) {
    b_loop_->post([this] { b_loop_->stop(); });
    b_thread_.join();
  }
}

bool TwoHosts::setup(std::string& why) {
  std::promise<std::string> ready;
  auto started = ready.get_future();
  b_thread_ = std::thread([this, &ready] {
    if (::unshare(CLONE_NEWNET) != 0) {
      ready.set_value(std::string("unshare: ") + std::strerror(errno));
      return;
    }
    b_tid_ = static_cast<int>(::syscall(SYS_gettid));
    auto loop = EventLoop::create({.backend = Backend::epoll});
    if (!loop) {
      ready.set_value("host B loop: " + loop.error().message());
      return;
    }
    b_loop_ = std::move(*loop);
    ready.set_value("");
    (void)b_loop_->run();
  });
  why = started.get();
  if (!why.empty()) {
    b_thread_.join();
    return false;
  }
  const std::string b = std::to_string(b_tid_);
  if (!in_b("ip link set dev lo up") ||
      !in_a("ip link add dev sk0 type veth peer name sk1 netns " + b) ||
      !in_a("ip link set dev sk0 up") || !in_a("ip addr add 10.77.0.1/24 dev sk0") ||
      !in_a("ip -6 addr add fd77::1/64 dev sk0 nodad") || !in_b("ip link set dev sk1 up") ||
      !in_b("ip addr add 10.77.0.2/24 dev sk1") ||
      !in_b("ip -6 addr add fd77::2/64 dev sk1 nodad")) {
    why = "cannot build the veth link between the two namespaces (iproute2?)";
    return false;
  }
  return true;
}

bool TwoHosts::in_a(const std::string& command) {
  return shell(command);
}

std::string TwoHosts::enter_b() const {
  return "nsenter --net=/proc/" + std::to_string(b_tid_) + "/ns/net";
}

bool TwoHosts::in_b(const std::string& command) {
  return shell(enter_b() + " " + command);
}

void TwoHosts::call_in_b(const std::function<void(EventLoop&)>& fn) {
  std::promise<void> done;
  b_loop_->post([&] {
    fn(*b_loop_);
    done.set_value();
  });
  done.get_future().wait();
}

bool TwoHosts::add_second_link(std::string& why) {
  const std::string b = std::to_string(b_tid_);
  if (!in_a("ip link add dev sk2 type veth peer name sk3 netns " + b) ||
      !in_a("ip link set dev sk2 up") || !in_a("ip addr add 10.79.0.1/24 dev sk2") ||
      !in_b("ip link set dev sk3 up") || !in_b("ip addr add 10.79.0.2/24 dev sk3") ||
      !in_b("ip addr add 10.99.0.1/32 dev lo") ||
      !in_a("ip route add 10.99.0.1/32 via 10.77.0.2 dev sk0 metric 10") ||
      !in_a("ip route add 10.99.0.1/32 via 10.79.0.2 dev sk2 metric 20")) {
    why = "cannot build the second link (iproute2?)";
    return false;
  }
  return true;
}

namespace {
struct Link {
  const char *a_dev, *b_dev, *a4, *b4;
};
constexpr Link kLinks[] = {{"sk0", "sk1", "10.77.0.1", "10.77.0.2"},
                           {"sk2", "sk3", "10.79.0.1", "10.79.0.2"}};
}  // namespace

bool TwoHosts::blackhole(int link) {
  const Link& l = kLinks[link];
  const std::string a = std::string(" dev ") + l.a_dev, b = std::string(" dev ") + l.b_dev;
  bool ok =
      in_a(std::string("ip neigh replace ") + l.b4 + " lladdr 02:00:00:00:00:99 nud permanent" +
           a) &&
      in_b(std::string("ip neigh replace ") + l.a4 + " lladdr 02:00:00:00:00:98 nud permanent" + b);
  if (link == 0)
    ok = ok && in_a("ip -6 neigh replace fd77::2 lladdr 02:00:00:00:00:99 nud permanent dev sk0") &&
         in_b("ip -6 neigh replace fd77::1 lladdr 02:00:00:00:00:98 nud permanent dev sk1");
  return ok;
}

bool TwoHosts::heal(int link) {  // `ip neigh flush` keeps permanent entries: delete them by name
  const Link& l = kLinks[link];
  bool ok = in_a(std::string("ip neigh del ") + l.b4 + " dev " + l.a_dev) &&
            in_b(std::string("ip neigh del ") + l.a4 + " dev " + l.b_dev);
  if (link == 0)
    ok = ok && in_a("ip -6 neigh del fd77::2 dev sk0") && in_b("ip -6 neigh del fd77::1 dev sk1");
  return ok;
}

}  // namespace sockkit::test
