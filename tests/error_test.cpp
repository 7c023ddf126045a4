// SPDX-License-Identifier: MIT
// Errors as values: categories, portable conditions, Result semantics.
#include <cerrno>

#include "support/fixture.hpp"

namespace sockkit::test {
namespace {

using ErrorTest = SockkitTest;

TEST_F(ErrorTest, StackCodesCompareEqualToPortableConditions) {
  const std::pair<int, errc> table[] = {
      {EAGAIN, errc::would_block},
      {EWOULDBLOCK, errc::would_block},
      {EINPROGRESS, errc::in_progress},
      {ECONNREFUSED, errc::connection_refused},
      {ECONNRESET, errc::connection_reset},
      {EPIPE, errc::peer_closed},
      {ETIMEDOUT, errc::timed_out},
      {EADDRINUSE, errc::address_in_use},
      {EHOSTUNREACH, errc::host_unreachable},
      {EMFILE, errc::too_many_sockets},
      {ENOPROTOOPT, errc::not_supported},
      {EMSGSIZE, errc::message_too_large},
      {ECONNABORTED, errc::connection_aborted},
      {ENOTCONN, errc::not_connected},
  };
  for (auto [value, cond] : table) {
    const std::error_code ec(value, std::system_category());
    EXPECT_EQ(classify(ec), cond) << ec.message();
    EXPECT_TRUE(ec == cond) << ec.message() << " vs " << to_string(cond);
    EXPECT_FALSE(ec == errc::invalid_argument) << ec.message();
  }
}

TEST_F(ErrorTest, LibraryCodesMapToConditionsAndExplainThemselves) {
  const std::error_code ec = make_error_code(failure::port_out_of_range);
  EXPECT_EQ(ec.category().name(), std::string("sockkit"));
  EXPECT_TRUE(ec == errc::invalid_argument);
  EXPECT_NE(ec.message().find(error_texts_built() ? "port" : "invalid_argument"),
            std::string::npos);
  EXPECT_TRUE(make_error_code(failure::connect_timeout) == errc::timed_out);
  EXPECT_TRUE(make_error_code(failure::unexpected_eof) == errc::peer_closed);
  EXPECT_TRUE(make_error_code(failure::datagram_truncated) == errc::truncated);
}

TEST_F(ErrorTest, UnknownCodesClassifyAsNothing) {
  EXPECT_EQ(classify(std::error_code(EDOM, std::system_category())), errc{});
  EXPECT_EQ(classify(std::error_code{}), errc{});
  EXPECT_STREQ(to_string(errc{}), "unclassified");
  EXPECT_STREQ(to_string(errc::connection_reset), "connection_reset");
}

TEST_F(ErrorTest, ResultHoldsValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 42);
  EXPECT_FALSE(good.error());
  Result<int> bad = failure::missing_port;
  EXPECT_FALSE(bad);
  EXPECT_TRUE(bad.error() == errc::invalid_argument);
  EXPECT_EQ(bad.value_or(7), 7);
  Result<std::string> moved = std::string("abc");
  Result<std::string> target = failure::closed_socket;
  target = std::move(moved);
  ASSERT_TRUE(target);
  EXPECT_EQ(*target, "abc");
  Status ok;
  EXPECT_TRUE(ok);
  Status failed = failure::closed_socket;
  EXPECT_TRUE(failed.error() == errc::bad_descriptor);
}

TEST(ResultDeathTest, ValueOnErrorAbortsWithTheReason) {
#if defined(SOCKKIT_TESTS_EMULATED)
  // Under qemu-user the re-executed test program would be a foreign binary.
  GTEST_FLAG_SET(death_test_style, "fast");
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
#endif
  Result<int> bad = failure::port_out_of_range;
  EXPECT_DEATH((void)bad.value(),
               error_texts_built() ? "port out of range" : "sockkit failure 2: invalid_argument");
}

}  // namespace
}  // namespace sockkit::test
