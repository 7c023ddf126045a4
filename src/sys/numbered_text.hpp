// SPDX-License-Identifier: MIT
// "prefix" + a number in decimal: the error messages of builds without error
// texts. Written out here because std::to_string and std::string's operator+
// link about 0.6 KB (a digit table, three string routines) into a device that
// shows these messages rarely if ever.
#pragma once

#include <string>

namespace sockkit::sys {

/// `prefix` (its first 24 characters) followed by `value` in decimal.
// Not inlined: one copy serves every error category that uses it.
[[gnu::noinline]] inline std::string numbered_text(const char* prefix, int value) {
  char text[24 + 11];  // the prefix, then "-2147483648" at most
  std::size_t length = 0;
  for (; length < 24 && prefix[length] != '\0'; ++length)
    text[length] = prefix[length];
  char digits[10];
  std::size_t count = 0;
  unsigned magnitude = value < 0 ? 0u - static_cast<unsigned>(value) : static_cast<unsigned>(value);
  do {
    digits[count++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) text[length++] = '-';
  while (count > 0)
    text[length++] = digits[--count];
  return std::string(text, length);
}

}  // namespace sockkit::sys
