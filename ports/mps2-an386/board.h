// SPDX-License-Identifier: MIT
/* The board support a sockkit firmware needs, for QEMU's MPS2 AN386
 * (Cortex-M4 at 25 MHz): a millisecond clock, a console, sleep until the next
 * interrupt, and a way to end the program. A port to another board implements
 * these few functions for its own peripherals; nothing else in the firmware
 * touches a register.
 *
 *   int main(void) {
 *     board_init();
 *     board_console_write("hello\n", 6);
 *     while (board_millis() < 10) board_wait_for_interrupt();
 *     board_exit(0);
 *   }
 */
#ifndef SOCKKIT_PORT_BOARD_H
#define SOCKKIT_PORT_BOARD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts the console (UART0, polled) and the 1 ms SysTick clock. Called once by
/// the start-up code before static constructors and main().
void board_init(void);

/// Milliseconds since board_init(); wraps after 49.7 days.
uint32_t board_millis(void);

/// Seconds since 1970: the date, which TLS needs to check certificates. The
/// AN386 has no battery-backed clock: board_init() asks the debugger
/// (semihosting SYS_TIME, under QEMU the host's date). A product reads its RTC,
/// or sets the date from the network (SNTP) before its first TLS handshake.
uint32_t board_epoch_seconds(void);

/// Sleeps (WFI) until the next interrupt: at the latest the next SysTick, 1 ms.
void board_wait_for_interrupt(void);

/// A pseudo-random 32-bit number. The AN386 has no random number generator:
/// this is a xorshift generator stirred with the SysTick counter at each call,
/// enough for lwIP's initial sequence numbers and ports, NOT for keys — a board
/// with a hardware generator reads it here.
uint32_t board_random(void);

/// Writes len bytes to the console (UART0), waiting while its buffer is full.
void board_console_write(const char* text, size_t len);

/// Copies the program's command line (its name, then its arguments, separated
/// by spaces) into `buffer`, NUL-terminated, through semihosting; under QEMU,
/// the `-semihosting-config arg=…` values. Returns its length, or -1 when no
/// debugger answers or it does not fit.
int board_command_line(char* buffer, size_t size);

/// Bytes of the main stack ever used: the start-up code paints the stack's
/// free part with a pattern before main(), and this finds the deepest word
/// overwritten since. A high-water mark, not the current depth.
size_t board_stack_high_water(void);

/// Bytes the heap has ever grown to (newlib's malloc takes memory through
/// sbrk and does not give it back): its high-water mark.
size_t board_heap_high_water(void);

/// Prints one line of the board's figures on the console: milliseconds since
/// boot, the heap's and the stack's high-water marks. The start-up code prints
/// it when main() returns.
void board_report_memory(void);

/// Ends the program with an exit status through semihosting, which QEMU turns
/// into its own exit status. On hardware with no debugger attached the
/// semihosting breakpoint faults and the fault handler stops the CPU.
void board_exit(int status) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif
