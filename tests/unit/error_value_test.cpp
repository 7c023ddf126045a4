// SPDX-License-Identifier: MIT
// sockkit::ErrorCode behaves the same whether it is std::error_code (hosted)
// or the compact value of a board's build (SOCKKIT_STD_ERRORS=OFF): this suite
// runs in both, on Linux and on the emulated board.
#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <type_traits>

#include "sockkit/mqtt.hpp"
#include "sockkit/result.hpp"

namespace sockkit::test {
namespace {

TEST(ErrorValue, NoErrorIsFalseAndClassifiesAsNothing) {
  const ErrorCode none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.value(), 0);
  EXPECT_EQ(classify(none), errc{});
  EXPECT_FALSE(none == errc::timed_out);
}

TEST(ErrorValue, SockkitsOwnErrorsAreTheirConditionAndNameTheirCategory) {
  const ErrorCode timeout = failure::connect_timeout;  // implicit, as std::error_code allows
  EXPECT_TRUE(timeout);
  EXPECT_EQ(timeout, make_error_code(failure::connect_timeout));
  EXPECT_NE(timeout, make_error_code(failure::send_timeout));
  EXPECT_TRUE(timeout == errc::timed_out);
  EXPECT_FALSE(timeout == errc::would_block);
  EXPECT_TRUE(timeout == make_error_condition(errc::timed_out));
  EXPECT_EQ(std::string(timeout.category().name()), "sockkit");
  EXPECT_TRUE(timeout.category() == error_category());
  // With or without the texts, the message says something and names no other error.
  EXPECT_FALSE(timeout.message().empty());
}

TEST(ErrorValue, ErrnoNamesAndHostNumbersAreTheirConditions) {
  const ErrorCode refused = make_error(std::errc::connection_refused);
  EXPECT_TRUE(refused == std::errc::connection_refused);
  EXPECT_FALSE(refused == std::errc::connection_reset);
  EXPECT_EQ(classify(refused), errc::connection_refused);
  EXPECT_EQ(refused.value(), ECONNREFUSED);

  const ErrorCode reset = make_host_error(ECONNRESET);
  EXPECT_TRUE(reset == errc::connection_reset);
  EXPECT_TRUE(reset == std::errc::connection_reset);
  EXPECT_EQ(classify(make_host_error(EAGAIN)), errc::would_block);
  EXPECT_EQ(classify(make_host_error(EDOM)), errc{});  // no network meaning
  EXPECT_FALSE(reset.message().empty());
}

TEST(ErrorValue, ProtocolCodesNameTheirConditionThemselves) {
  const ErrorCode unavailable = mqtt::reason::server_unavailable;
  EXPECT_TRUE(unavailable.category() == mqtt::category());
  EXPECT_NE(classify(unavailable), errc{});
  EXPECT_NE(unavailable, make_error_code(failure::connect_timeout));
}

TEST(ErrorValue, CopiesCompareEqualAndClearingForgets) {
  ErrorCode a = failure::outbox_full;
  const ErrorCode b = a;
  EXPECT_EQ(a, b);
  a.clear();
  EXPECT_FALSE(a);
  EXPECT_NE(a, b);
  static_assert(std::is_trivially_copyable_v<ErrorCode>);
}

TEST(ErrorValue, AResultCarriesEitherKind) {
  const Result<int> sockkits = failure::limit_reached;
  EXPECT_TRUE(sockkits.error() == errc::limit_exceeded);
  const Result<int> hosts = make_error(std::errc::not_enough_memory);
  EXPECT_TRUE(hosts.error() == errc::no_buffer_space);
  const Status fine;
  EXPECT_FALSE(fine.error());
}

}  // namespace
}  // namespace sockkit::test
