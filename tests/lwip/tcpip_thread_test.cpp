// SPDX-License-Identifier: MIT
// EventLoop::post() and stop() from code that runs with lwIP's core lock held:
// tcpip_callback functions and netif status and link callbacks run on lwIP's
// tcpip thread with the lock taken, and the loop's wake-up must not need it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "sockkit/sockkit.hpp"

namespace sockkit::test {
namespace {
using namespace std::chrono_literals;

struct Shared {
  EventLoop* loop = nullptr;
  std::atomic<int> posted_ran{0};
};

// A deadlocked tcpip thread never comes back, so the test cannot join it:
// report and end the process, which CTest shows as this test failing.
void finish_or_die(std::future<void>& finished, const char* what) {
  if (finished.wait_for(5s) == std::future_status::ready) return;
  std::fprintf(stderr, "%s: no progress in 5 s (deadlock on lwIP's core lock)\n", what);
  std::fflush(stderr);
  std::_Exit(1);
}

// The application's own start-up, as a board support package does it.
void start_lwip_like_an_application() {
  sys_sem_t up;
  ASSERT_EQ(sys_sem_new(&up, 0), ERR_OK);
  tcpip_init([](void* sem) { sys_sem_signal(static_cast<sys_sem_t*>(sem)); }, &up);
  sys_sem_wait(&up);
  sys_sem_free(&up);
}

std::size_t threads_in_this_process() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

// Each test runs in a process of its own (gtest_discover_tests): lwIP is not running yet.
TEST(LwipAttach, SocketsWaitForTheApplicationsStackAndSockkitNeverStartsASecond) {
  auto before = Socket::open(Family::ipv4, SocketType::datagram);
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error(), make_error_code(failure::stack_not_started));
  EXPECT_TRUE(before.error() == errc::network_unreachable);
  EXPECT_FALSE(EventLoop::create({.backend = Backend::poll}));

  start_lwip_like_an_application();
  ASSERT_TRUE(attach_stack());
  const std::size_t threads = threads_in_this_process();
  ASSERT_TRUE(start_stack());  // a careless second start: must not call tcpip_init again
  EXPECT_EQ(threads_in_this_process(), threads) << "a second tcpip thread was started";

  auto after = Socket::open(Family::ipv4, SocketType::datagram);
  ASSERT_TRUE(after) << after.error().message();
  auto loop = EventLoop::create({.backend = Backend::poll});
  ASSERT_TRUE(loop) << loop.error().message();
  bool ran = false;
  loop->post([&] {
    ran = true;
    loop->stop();
  });
  ASSERT_TRUE(loop->run());
  EXPECT_TRUE(ran);
}

// A loop running on its own thread; `finished` is ready once run() returned.
class LwipTcpipThread : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    start_lwip_like_an_application();
    ASSERT_TRUE(attach_stack());
  }
  void SetUp() override {
    auto l = EventLoop::create({.backend = Backend::poll});
    ASSERT_TRUE(l) << l.error().message();
    loop = std::move(*l);
    shared.loop = (loop ? &*loop : nullptr);
    finished = done.get_future();
    runner = std::thread([this] {
      (void)shared.loop->run();
      done.set_value();
    });
  }
  void TearDown() override {
    if (runner.joinable()) runner.join();
  }
  std::optional<EventLoop> loop;
  Shared shared;
  std::promise<void> done;
  std::future<void> finished;
  std::thread runner;
};

TEST_F(LwipTcpipThread, PostAndStopFromATcpipCallbackWakeTheLoop) {
  // Runs on lwIP's tcpip thread, with the core lock held.
  const err_t queued = tcpip_callback(
      [](void* arg) {
        auto* s = static_cast<Shared*>(arg);
        s->loop->post([s] { s->posted_ran.fetch_add(1); });
        s->loop->stop();
      },
      &shared);
  ASSERT_EQ(queued, ERR_OK);
  finish_or_die(finished, "post/stop from a tcpip callback");
  runner.join();
  // stop() may win the race with the posted function; the next run picks it up.
  (void)loop->run_once(0ms);
  EXPECT_EQ(shared.posted_ran.load(), 1);
}

TEST_F(LwipTcpipThread, PostFromAThreadHoldingTheCoreLockWakesTheLoop) {
  // A driver thread reporting link state takes the core lock, as lwIP asks of
  // code outside the tcpip thread that calls netif functions.
  std::promise<void> poster_done;
  auto poster_finished = poster_done.get_future();
  std::thread poster([&] {
    LOCK_TCPIP_CORE();
    shared.loop->post([this] {
      shared.posted_ran.fetch_add(1);
      shared.loop->stop();
    });
    UNLOCK_TCPIP_CORE();
    poster_done.set_value();
  });
  finish_or_die(poster_finished, "post under the core lock");
  finish_or_die(finished, "the loop after a post under the core lock");
  poster.join();
  runner.join();
  EXPECT_EQ(shared.posted_ran.load(), 1);
}

}  // namespace
}  // namespace sockkit::test
