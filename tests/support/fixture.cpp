// SPDX-License-Identifier: MIT
#include "support/fixture.hpp"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <random>

#include <algorithm>
#include <cstddef>

#include <atomic>
#include <filesystem>

namespace sockkit::test {

int open_descriptor_count() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++count;
  return count;
}

void SockkitTest::SetUp() {
  descriptors_at_start_ = open_descriptor_count();
}

void SockkitTest::TearDown() {
  EXPECT_EQ(open_descriptor_count(), descriptors_at_start_) << "descriptor leak (or double close)";
}

Endpoint unique_unix_endpoint() {
  static std::atomic<int> counter{0};
  return *Endpoint::unix_abstract("sockkit-test-" + std::to_string(::getpid()) + "-" +
                                  std::to_string(counter++));
}

TcpListener listen_loopback(Family family, const ListenOptions& options) {
  Endpoint at;
  switch (family) {
    case Family::ipv4:
      at = Endpoint::loopback_v4(0);
      break;
    case Family::ipv6:
      at = Endpoint::loopback_v6(0);
      break;
    default:
      at = unique_unix_endpoint();
      break;
  }
  auto listener = TcpListener::bind(at, options);
  if (!listener) {
    ADD_FAILURE() << "listen on " << at.to_string() << ": " << listener.error().message();
    return {};
  }
  return std::move(*listener);
}

std::pair<TcpStream, TcpStream> connected_pair(Family family) {
  auto listener = listen_loopback(family);
  auto at = listener.local_endpoint();
  if (!at) {
    ADD_FAILURE() << "local_endpoint: " << at.error().message();
    return {};
  }
  auto client = TcpStream::connect(*at, std::chrono::seconds(5));
  if (!client) {
    ADD_FAILURE() << "connect: " << client.error().message();
    return {};
  }
  auto server = listener.accept();
  if (!server) {
    ADD_FAILURE() << "accept: " << server.error().message();
    return {};
  }
  return {std::move(*client), std::move(server->stream)};
}

std::string family_name(Family family) {
  switch (family) {
    case Family::ipv4:
      return "IPv4";
    case Family::ipv6:
      return "IPv6";
    case Family::unix_domain:
      return "Unix";
    case Family::none:
      break;
  }
  return "none";
}

std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info) {
  std::string name = to_string(info.param);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

bool refuse_io_uring_setup(int error) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K,
               SECCOMP_RET_ERRNO | (static_cast<unsigned>(error) & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

long long elapsed_ms(LoopClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(LoopClock::now() - start).count();
}

std::vector<Family> datagram_families() {
  std::vector<Family> out{Family::ipv4};
  if (stack_supports(StackFeature::ipv6)) out.push_back(Family::ipv6);
  return out;
}

std::vector<Family> stream_families() {
  std::vector<Family> out = datagram_families();
  if (stack_supports(StackFeature::unix_domain)) out.push_back(Family::unix_domain);
  return out;
}

bool run_loop_until(EventLoop& loop, std::chrono::milliseconds within,
                    const std::function<bool()>& done) {
  return loop.run_until(done, EventLoop::Clock::now() + within);
}

std::vector<std::byte> seeded_payload(std::size_t size, unsigned seed) {
  std::vector<std::byte> bytes(size);
  std::mt19937 rng(seed);
  for (auto& b : bytes)
    b = static_cast<std::byte>(rng());
  return bytes;
}

}  // namespace sockkit::test
