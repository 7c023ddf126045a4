// SPDX-License-Identifier: MIT
// Setting and reading socket options whose values travel as int through the
// sys seam but are an int, a flag, a struct timeval or a struct linger on the
// wire. Shared by the stacks: include it after the stack's socket headers, so
// timeval, linger and socklen_t are that stack's types. One stack is compiled
// per build. `set(level, name, pointer, length)` and `get(...)` wrap the
// stack's setsockopt/getsockopt and return 0 or -1 with errno set.
#pragma once

namespace sockkit::sys {

enum class Shape { integer, flag, byte, millis_timeval, linger_seconds };

/// Where an option lives on a stack; level < 0 means the stack lacks it.
struct NativeOption {
  int level = -1;
  int name = -1;
  Shape shape = Shape::integer;
};

template <class Set>
int set_shaped(Set set, const NativeOption& n, int value) noexcept {
  switch (n.shape) {
    case Shape::integer:
    case Shape::flag:
      return set(n.level, n.name, &value, sizeof value);
    case Shape::byte: {  // lwIP's IP_MULTICAST_TTL/LOOP: one unsigned char, whatever the byte order
      const unsigned char b = static_cast<unsigned char>(value);
      return set(n.level, n.name, &b, sizeof b);
    }
    case Shape::millis_timeval: {
      timeval tv{value / 1000, (value % 1000) * 1000};
      return set(n.level, n.name, &tv, sizeof tv);
    }
    case Shape::linger_seconds: {  // value < 0: off
      linger l{value >= 0 ? 1 : 0, value >= 0 ? value : 0};
      return set(n.level, n.name, &l, sizeof l);
    }
  }
  return -1;
}

/// 0 and `out` set, or -1 with errno set.
template <class Get>
int get_shaped(Get get, const NativeOption& n, int& out) noexcept {
  switch (n.shape) {
    case Shape::integer:
    case Shape::flag:
    case Shape::byte: {
      int value = 0;
      socklen_t len = sizeof value;
      if (get(n.level, n.name, &value, &len) != 0) return -1;
      // IP_MULTICAST_TTL/LOOP may answer with a single byte: it is the first in
      // memory, which is the low byte of the int only on little-endian CPUs.
      if (len == 1) value = *reinterpret_cast<const unsigned char*>(&value);
      // lwIP answers flag options with their flag bit (4, 8), Linux with 1.
      out = n.shape == Shape::flag ? (value != 0 ? 1 : 0) : value;
      return 0;
    }
    case Shape::millis_timeval: {
      timeval tv{};
      socklen_t len = sizeof tv;
      if (get(n.level, n.name, &tv, &len) != 0) return -1;
      out = static_cast<int>(tv.tv_sec * 1000 + tv.tv_usec / 1000);
      return 0;
    }
    case Shape::linger_seconds: {
      linger l{};
      socklen_t len = sizeof l;
      if (get(n.level, n.name, &l, &len) != 0) return -1;
      out = l.l_onoff ? l.l_linger : -1;
      return 0;
    }
  }
  return -1;
}

}  // namespace sockkit::sys
