// SPDX-License-Identifier: MIT
/* MPS2 AN386 peripherals: the CMSDK APB UART0 as console, the Cortex-M SysTick
 * as the millisecond clock, ARM semihosting to report the exit status. */
#include "board.h"

#define REG(address) (*(volatile uint32_t*)(address))

#define SYSTEM_CLOCK_HZ 25000000u  // the AN386 FPGA image's CPU clock
#define UART0 0x40004000u
#define UART_DATA (UART0 + 0x00u)
#define UART_STATE (UART0 + 0x04u)
#define UART_CTRL (UART0 + 0x08u)
#define UART_BAUD_DIV (UART0 + 0x10u)
#define UART_TX_FULL (1u << 0)
#define UART_TX_ENABLE (1u << 0)
#define SYSTICK_CTRL 0xE000E010u
#define SYSTICK_RELOAD 0xE000E014u
#define SYSTICK_VALUE 0xE000E018u
#define SYSTICK_ENABLE (1u << 0)
#define SYSTICK_INTERRUPT (1u << 1)
#define SYSTICK_CPU_CLOCK (1u << 2)

static volatile uint32_t millis;
static uint32_t epoch_at_boot;  // seconds since 1970 when the clock started

void board_systick_handler(void) {
  millis = millis + 1;
}

static uint32_t semihosting_call(uint32_t operation, const void* argument);

void board_init(void) {
  REG(UART_BAUD_DIV) = SYSTEM_CLOCK_HZ / 115200u;
  REG(UART_CTRL) = UART_TX_ENABLE;
  REG(SYSTICK_RELOAD) = SYSTEM_CLOCK_HZ / 1000u - 1u;
  REG(SYSTICK_VALUE) = 0;
  REG(SYSTICK_CTRL) = SYSTICK_ENABLE | SYSTICK_INTERRUPT | SYSTICK_CPU_CLOCK;
  enum { kSysTime = 0x11 };
  epoch_at_boot = semihosting_call(kSysTime, 0);  // the debugger's (QEMU's host's) date
}

uint32_t board_epoch_seconds(void) {
  return epoch_at_boot + millis / 1000u;
}

uint32_t board_millis(void) {
  return millis;
}

void board_wait_for_interrupt(void) {
  __asm volatile("wfi" ::: "memory");
}

uint32_t board_random(void) {
  static uint32_t state = 0x9e3779b9u;
  state ^= REG(SYSTICK_VALUE) ^ (millis << 16);
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

void board_console_write(const char* text, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    while (REG(UART_STATE) & UART_TX_FULL) {
    }
    REG(UART_DATA) = (uint8_t)text[i];
  }
}

/* Semihosting: the debugger (here QEMU, with -semihosting-config enable=on)
 * handles BKPT 0xAB with the operation in r0 and its argument in r1.
 * SYS_EXIT_EXTENDED carries the status; plain SYS_EXIT on 32-bit ARM cannot. */
static uint32_t semihosting_call(uint32_t operation, const void* argument) {
  register uint32_t r0 __asm("r0") = operation;
  register const void* r1 __asm("r1") = argument;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int board_command_line(char* buffer, size_t size) {
  enum { kSysGetCmdline = 0x15 };
  struct {
    char* buffer;
    uint32_t size;
  } block = {buffer, (uint32_t)size};
  if (semihosting_call(kSysGetCmdline, &block) != 0 || block.size >= size) return -1;
  buffer[block.size] = '\0';
  return (int)block.size;
}

void board_exit(int status) {
  enum { kSysExitExtended = 0x20, kApplicationExit = 0x20026 };
  const uint32_t block[2] = {kApplicationExit, (uint32_t)status};
  semihosting_call(kSysExitExtended, block);
  for (;;) {
    board_wait_for_interrupt();
  }
}
