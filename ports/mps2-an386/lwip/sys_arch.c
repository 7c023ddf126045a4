// SPDX-License-Identifier: MIT
/* lwIP's clock on the board: the millisecond SysTick. lwIP compares its
 * timeouts by subtraction, so the counter's wrap after 49.7 days is harmless. */
#include "../board.h"
#include "lwip/sys.h"

u32_t sys_now(void) {
  return board_millis();
}
