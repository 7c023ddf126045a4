// SPDX-License-Identifier: MIT
// main() of a test image on a board: the arguments come from the board's
// command line (the start-up code reads it; under QEMU run-qemu.sh passes a
// runner's --gtest_list_tests or --gtest_filter), GoogleTest's report goes to
// the console, and its result becomes the program's exit status (under QEMU,
// QEMU's own).
#include <gtest/gtest.h>

#include <cstdio>

#include "board.h"
#include "sockkit/stack.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // The bare-metal stack sleeps between events until the next interrupt.
  sockkit::set_board_hooks({.sleep = [](void*, std::uint32_t) { board_wait_for_interrupt(); }});
  if (auto st = sockkit::start_stack(); !st) {
    std::printf("start_stack: %s\n", st.error().message().c_str());
    return 1;
  }
  return RUN_ALL_TESTS();
}
