// SPDX-License-Identifier: MIT
// The error messages of builds without error texts: a prefix and the number
// in decimal.
#include <gtest/gtest.h>

#include <climits>

#include "sys/numbered_text.hpp"

namespace sockkit::sys {
namespace {

TEST(NumberedText, WritesTheNumberAfterThePrefix) {
  EXPECT_EQ(numbered_text("errno ", 0), "errno 0");
  EXPECT_EQ(numbered_text("errno ", 7), "errno 7");
  EXPECT_EQ(numbered_text("sockkit failure ", 42), "sockkit failure 42");
}

TEST(NumberedText, APrefixLongerThan24CharactersIsCut) {
  EXPECT_EQ(numbered_text("abcdefghijklmnopqrstuvwxyz", 1), "abcdefghijklmnopqrstuvwx1");
}

TEST(NumberedText, NegativeAndExtremeNumbersAreExact) {
  EXPECT_EQ(numbered_text("", -5), "-5");
  EXPECT_EQ(numbered_text("", 1000000), "1000000");
  EXPECT_EQ(numbered_text("", INT_MAX), "2147483647");
  EXPECT_EQ(numbered_text("", INT_MIN), "-2147483648");
}

}  // namespace
}  // namespace sockkit::sys
