#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Nagle + delayed-ACK stall with and without TCP_NODELAY (bench/nagle.cpp):
# requests written as a 4-byte length and a 100-byte body, answered by 1 byte.
#   bench/nagle.sh [BUILD_DIR=build/release] [REQUESTS=40]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
cmake --build "$build" --target bench_nagle >/dev/null
"$build/bench/bench_nagle" "${2:-40}" 100
