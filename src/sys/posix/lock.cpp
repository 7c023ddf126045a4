// SPDX-License-Identifier: MIT
// The loop's lock on Linux: the C++ runtime's mutex.
#include "sys/runtime_lock.hpp"
