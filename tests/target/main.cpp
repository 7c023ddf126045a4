// SPDX-License-Identifier: MIT
// main() of a test image on a board: the arguments come from the board's
// command line (under QEMU, semihosting: run-qemu.sh passes a runner's
// --gtest_list_tests or --gtest_filter), GoogleTest's report goes to the
// console, and its result becomes the program's exit status (under QEMU,
// QEMU's own).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "board.h"
#include "sockkit/stack.hpp"

int main() {
  static std::array<char, 512> line{};
  std::array<char*, 16> argv{};
  int argc = 0;
  if (board_command_line(line.data(), line.size()) > 0) {
    for (char* word = line.data(); *word != '\0' && argc + 1 < static_cast<int>(argv.size());) {
      while (*word == ' ')
        *word++ = '\0';
      if (*word == '\0') break;
      argv[static_cast<std::size_t>(argc++)] = word;
      while (*word != '\0' && *word != ' ')
        ++word;
    }
  }
  static char name[] = "sockkit-target-tests";
  if (argc == 0) argv[static_cast<std::size_t>(argc++)] = name;
  ::testing::InitGoogleTest(&argc, argv.data());
  // The bare-metal stack sleeps between events until the next interrupt.
  sockkit::set_board_hooks({.sleep = [](void*, std::uint32_t) { board_wait_for_interrupt(); }});
  if (auto st = sockkit::start_stack(); !st) {
    std::printf("start_stack: %s\n", st.error().message().c_str());
    return 1;
  }
  return RUN_ALL_TESTS();
}
