// SPDX-License-Identifier: MIT
/* Cortex-M4 start-up for the MPS2 AN386: the vector table, the reset handler
 * that prepares RAM and the C/C++ runtime before main(), and a fault handler
 * that says what went wrong on the console instead of hanging silently. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "lan9118.h"

extern uint32_t __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[], __heap_limit[];
extern void __libc_init_array(void);
extern int main(int argc, char** argv);
void board_systick_handler(void);
void board_reset(void);

/* Interrupts a firmware does not handle end up here: an unexpected interrupt
 * is a bug worth stopping for, with its number on the console. */
static void unexpected_interrupt(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  char line[48];
  int len = snprintf(line, sizeof line, "\nunexpected exception %lu\n", (unsigned long)ipsr);
  board_console_write(line, (size_t)len);
  board_exit(125);
}

/* The stacked frame of a fault: r0-r3, r12, lr, pc, xPSR, and the fault status
 * registers say where and why. */
void board_report_fault(const uint32_t* frame) {
  const uint32_t cfsr = *(volatile uint32_t*)0xE000ED28;
  const uint32_t hfsr = *(volatile uint32_t*)0xE000ED2C;
  const uint32_t bfar = *(volatile uint32_t*)0xE000ED38;
  char line[128];
  int len =
      snprintf(line, sizeof line, "\nfault: pc=%08lx lr=%08lx cfsr=%08lx hfsr=%08lx bfar=%08lx\n",
               (unsigned long)frame[6], (unsigned long)frame[5], (unsigned long)cfsr,
               (unsigned long)hfsr, (unsigned long)bfar);
  board_console_write(line, (size_t)len);
  board_exit(126);
}

/* Which stack the fault frame is on depends on the mode the fault came from. */
__attribute__((naked)) static void fault_handler(void) {
  __asm volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b board_report_fault\n");
}

/* newlib's __libc_init_array calls _init between the two constructor tables;
 * with no crti.o (the start-up here replaces the toolchain's) it has nothing
 * to do. */
void _init(void) {}
void _fini(void) {}

/* Static destructors register against this handle (crtbegin.o would define it;
 * a program that never unloads needs only its address). */
void* __dso_handle = &__dso_handle;

/* main()'s arguments: the board's command line (semihosting; under QEMU
 * run-qemu.sh's), split at spaces, or just the program's name. */
static int split_command_line(char** argv, int most) {
  static char line[512];
  static char name[] = "firmware";
  int argc = 0;
  if (board_command_line(line, sizeof line) > 0) {
    for (char* word = line; *word != '\0' && argc + 1 < most;) {
      while (*word == ' ')
        *word++ = '\0';
      if (*word == '\0') break;
      argv[argc++] = word;
      while (*word != '\0' && *word != ' ')
        ++word;
    }
  }
  if (argc == 0) argv[argc++] = name;
  argv[argc] = NULL;
  return argc;
}

/* The stack's free part holds this pattern until something uses it. */
#define STACK_PAINT 0x5afe57acu

/* Fills the stack from its lowest address up to a little below the running
 * frame (the reset handler's own locals stay intact). */
__attribute__((noinline)) static void paint_stack(void) {
  uint32_t* const below_here = (uint32_t*)__builtin_frame_address(0) - 16;
  for (volatile uint32_t* word = __heap_limit; word < below_here; ++word) {
    *word = STACK_PAINT;
  }
}

size_t board_stack_high_water(void) {
  const uint32_t* word = __heap_limit;
  while (word < __stack_top && *word == STACK_PAINT) {
    ++word;
  }
  return (size_t)((const char*)__stack_top - (const char*)word);
}

void board_report_memory(void) {
  char line[96];
  const int len = snprintf(line, sizeof line,
                           "board: up %lu ms, heap high-water %lu B, stack high-water %lu B\n",
                           (unsigned long)board_millis(), (unsigned long)board_heap_high_water(),
                           (unsigned long)board_stack_high_water());
  board_console_write(line, (size_t)len);
}

void board_reset(void) {
  paint_stack();
  uint32_t* source = __data_load;
  for (uint32_t* target = __data_start; target < __data_end;) {
    *target++ = *source++;
  }
  memset(__bss_start, 0, (size_t)((char*)__bss_end - (char*)__bss_start));
  board_init();
  __libc_init_array();  // static constructors
  static char* argv[17];
  const int argc = split_command_line(argv, 17);
  const int status = main(argc, argv);
  board_report_memory();
  board_exit(status);
}

typedef void (*vector_t)(void);

/* 16 system exceptions, then the AN386's 32 external interrupts. */
__attribute__((section(".vectors"), used)) static const vector_t vectors[16 + 32] = {
    [0] = (vector_t)__stack_top,         // initial main stack pointer
    [1] = board_reset,                   // Reset
    [2] = unexpected_interrupt,          // NMI
    [3] = fault_handler,                 // HardFault
    [4] = fault_handler,                 // MemManage
    [5] = fault_handler,                 // BusFault
    [6] = fault_handler,                 // UsageFault
    [11] = unexpected_interrupt,         // SVCall
    [12] = unexpected_interrupt,         // DebugMonitor
    [14] = unexpected_interrupt,         // PendSV
    [15] = board_systick_handler,        // SysTick
    [16 ... 28] = unexpected_interrupt,  // external interrupts 0-12
    [29] = lan9118_interrupt,            // external interrupt 13: Ethernet
    [30 ... 47] = unexpected_interrupt,  // external interrupts 14-31
};
