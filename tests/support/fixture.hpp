// SPDX-License-Identifier: MIT
// Test fixture shared by every sockkit test: checks that a test leaves the
// number of open descriptors as it found it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "sockkit/sockkit.hpp"

namespace sockkit {
/// Lets GoogleTest print endpoints in failure messages.
inline void PrintTo(const Endpoint& ep, std::ostream* os) {
  *os << ep.to_string();
}
}  // namespace sockkit

namespace sockkit::test {

/// Number of descriptors open in this process (from /proc/self/fd).
int open_descriptor_count();

/// Base fixture: fails the test if it leaked (or double-closed) a descriptor.
class SockkitTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

 private:
  int descriptors_at_start_ = 0;
};

/// A listener on `family` loopback with an ephemeral port (or a fresh abstract name).
TcpListener listen_loopback(Family family, const ListenOptions& options = {});
/// A connected pair over `family` loopback: {client, server side}.
std::pair<TcpStream, TcpStream> connected_pair(Family family);
/// Unique abstract Unix name for this process and call.
Endpoint unique_unix_endpoint();
/// Families this build's stack has: stream adds Unix domain where it exists.
std::vector<Family> stream_families();
std::vector<Family> datagram_families();
/// Readable name of a family, for parameterised test names.
std::string family_name(Family family);
/// GoogleTest name suffix for a backend parameter ("epoll_et").
std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info);
/// Installs a seccomp filter in this process making io_uring_setup fail with
/// `error`, as container runtimes do. Call only in a forked child. False if refused.
bool refuse_io_uring_setup(int error);
/// Runs `loop` until `done()` or `within` has passed (EventLoop::run_until with
/// a relative deadline); true if done.
bool run_loop_until(EventLoop& loop, std::chrono::milliseconds within,
                    const std::function<bool()>& done);
/// Whether sockkit's own errors carry their texts (SOCKKIT_ERROR_STRINGS) or
/// read "sockkit failure N: condition", as a device build has them.
inline bool error_texts_built() {
  return make_error_code(failure::closed_socket).message().rfind("sockkit failure ", 0) != 0;
}
/// `size` pseudo-random bytes, the same for the same seed.
std::vector<std::byte> seeded_payload(std::size_t size, unsigned seed);
/// Milliseconds since `start` (a time on the loop's clock).
long long elapsed_ms(LoopClock::time_point start);

}  // namespace sockkit::test

/// ASSERT that a Result holds a value, printing the error otherwise.
#define ASSERT_OK(expr)                                                                   \
  do {                                                                                    \
    const auto& sockkit_r_ = (expr);                                                      \
    ASSERT_TRUE(sockkit_r_.has_value()) << #expr << ": " << sockkit_r_.error().message(); \
  } while (0)
#define EXPECT_OK(expr)                                                                   \
  do {                                                                                    \
    const auto& sockkit_r_ = (expr);                                                      \
    EXPECT_TRUE(sockkit_r_.has_value()) << #expr << ": " << sockkit_r_.error().message(); \
  } while (0)
/// EXPECT that a Result failed with a portable condition.
#define EXPECT_ERRC(expr, cond)                                                 \
  do {                                                                          \
    const auto& sockkit_r_ = (expr);                                            \
    EXPECT_FALSE(sockkit_r_.has_value()) << #expr << " unexpectedly succeeded"; \
    EXPECT_EQ(sockkit::classify(sockkit_r_.error()), cond)                      \
        << #expr << ": " << sockkit_r_.error().message() << " ("                \
        << sockkit::to_string(sockkit::classify(sockkit_r_.error())) << ")";    \
  } while (0)

/// Skips the test, with the reason printed, when this build's stack lacks `feature`.
#define SOCKKIT_REQUIRE(feature)                                                           \
  do {                                                                                     \
    if (!sockkit::stack_supports(sockkit::StackFeature::feature))                          \
      GTEST_SKIP() << sockkit::stack_name() << " has no " << #feature << " in this build"; \
  } while (0)
