// SPDX-License-Identifier: MIT
/* What newlib asks of the board: standard output and error on the console,
 * the heap between .bss and the stack, the date from the board's clock, and
 * a clear "no" for everything a board without files or processes lacks. */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#include "board.h"

#undef errno
extern int errno;
extern char __heap_start[], __heap_limit[];

int _write(int fd, const char* data, int len) {
  if (fd != 1 && fd != 2) {
    errno = EBADF;
    return -1;
  }
  board_console_write(data, (size_t)len);
  return len;
}

int _read(int fd, char* data, int len) {
  (void)data;
  (void)len;
  if (fd != 0) {
    errno = EBADF;
    return -1;
  }
  return 0;  // no console input: end of file
}

static char* heap_end = __heap_start;
static char* heap_highest = __heap_start;

void* _sbrk(ptrdiff_t increment) {
  char* end = heap_end;
  if (increment > __heap_limit - end || increment < __heap_start - end) {
    errno = ENOMEM;
    return (void*)-1;
  }
  heap_end = end + increment;
  if (heap_end > heap_highest) heap_highest = heap_end;
  return end;
}

size_t board_heap_high_water(void) {
  return (size_t)(heap_highest - __heap_start);
}

int _gettimeofday(struct timeval* now, void* zone) {
  (void)zone;
  const uint32_t ms = board_millis();
  now->tv_sec = (time_t)board_epoch_seconds();
  now->tv_usec = (suseconds_t)(ms % 1000) * 1000;
  return 0;
}

clock_t _times(struct tms* buffer) {
  buffer->tms_utime = buffer->tms_stime = buffer->tms_cutime = buffer->tms_cstime = 0;
  return (clock_t)board_millis();
}

void _exit(int status) {
  board_exit(status);
}

int _close(int fd) {
  (void)fd;
  errno = EBADF;
  return -1;
}

int _fstat(int fd, struct stat* status) {
  if (fd < 0 || fd > 2) {
    errno = EBADF;
    return -1;
  }
  status->st_mode = S_IFCHR;
  return 0;
}

int _isatty(int fd) {
  return fd >= 0 && fd <= 2;
}

int _lseek(int fd, int offset, int whence) {
  (void)fd;
  (void)offset;
  (void)whence;
  errno = ESPIPE;
  return -1;
}

int _open(const char* path, int flags, int mode) {
  (void)path;
  (void)flags;
  (void)mode;
  errno = ENOENT;  // no file system
  return -1;
}

int _stat(const char* path, struct stat* status) {
  (void)path;
  (void)status;
  errno = ENOENT;
  return -1;
}

int _unlink(const char* path) {
  (void)path;
  errno = ENOENT;
  return -1;
}

int _link(const char* from, const char* to) {
  (void)from;
  (void)to;
  errno = EMLINK;
  return -1;
}

int mkdir(const char* path, mode_t mode) {
  (void)path;
  (void)mode;
  errno = ENOSYS;
  return -1;
}

int _getpid(void) {
  return 1;
}

int _kill(int pid, int signal) {
  (void)pid;
  (void)signal;
  errno = EINVAL;
  return -1;
}
