// SPDX-License-Identifier: MIT
// Every test program's main: the network stack first (lwIP needs starting;
// on Linux start_stack does nothing), then GoogleTest.
#include <gtest/gtest.h>

#include <cstdio>

#include "sockkit/stack.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (auto st = sockkit::start_stack(); !st) {
    std::fprintf(stderr, "start_stack: %s\n", st.error().message().c_str());
    return 1;
  }
  return RUN_ALL_TESTS();
}
