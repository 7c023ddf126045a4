// SPDX-License-Identifier: MIT
// Cost of one wait() per backend with N idle descriptors registered and one
// ready: select and poll scan all N; epoll and io_uring report only the ready one.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "poll/poller.hpp"

namespace {

using sockkit::Backend;
using sockkit::NativeHandle;

void BM_PollerWait(benchmark::State& state, Backend backend) {
  const auto idle = state.range(0);
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
  auto poller = sockkit::poll::make_poller(backend);
  if (!poller) {
    state.SkipWithError("backend unavailable");
    return;
  }
  std::vector<int> fds;
  auto pair = [&] {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    fds.push_back(sv[0]);
    fds.push_back(sv[1]);
    return true;
  };
  if (!pair()) return state.SkipWithError("socketpair");
  const int ready_fd = fds[0];
  (void)!::write(fds[1], "x", 1);  // stays readable: level-triggered reports it every wait
  (void)(*poller)->add(NativeHandle{ready_fd}, sockkit::sys::kReadable);
  for (std::int64_t i = 0; i < idle; ++i) {
    if (!pair()) return state.SkipWithError("out of descriptors");
    if (!(*poller)->add(NativeHandle{fds.back()}, sockkit::sys::kReadable))
      return state.SkipWithError("descriptor past the backend's limit");
  }
  std::array<sockkit::poll::Ready, 64> out{};
  for (auto _ : state) {
    auto n = (*poller)->wait(out, 0);
    benchmark::DoNotOptimize(n);
  }
  poller->reset();
  for (int fd : fds)
    ::close(fd);
}

BENCHMARK_CAPTURE(BM_PollerWait, select, Backend::select)->Arg(10)->Arg(100)->Arg(450);
BENCHMARK_CAPTURE(BM_PollerWait, poll, Backend::poll)->Arg(10)->Arg(100)->Arg(1000)->Arg(5000);
BENCHMARK_CAPTURE(BM_PollerWait, epoll, Backend::epoll)->Arg(10)->Arg(100)->Arg(1000)->Arg(5000);
#if SOCKKIT_HAVE_URING
BENCHMARK_CAPTURE(BM_PollerWait, uring, Backend::uring)->Arg(10)->Arg(100)->Arg(1000)->Arg(5000);
#endif

}  // namespace
