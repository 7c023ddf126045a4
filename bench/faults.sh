#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The timings docs/resilience.md and docs/lwip.md quote, re-measured: runs the
# netfault suite (release build) and the lwIP TAP test (lwip build) and prints
# the measurement each test reports. Root (network namespaces); each test
# still asserts its own window.
#   bench/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
cmake --preset release >/dev/null && cmake --build --preset release --target test_netfault >/dev/null
cmake --preset lwip >/dev/null && cmake --build --preset lwip --target test_lwip_tap >/dev/null
build/release/tests/test_netfault | grep -vE '^\[|^Running main|^$'
build/lwip/tests/test_lwip_tap | grep -E 'MiB|detected|received|acknowledged'
