#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Long fuzzing: builds the fuzz preset and runs every target to 10^7 executions
# (ASan + UBSan), printing the executions reached. Usage: bench/fuzz.sh [RUNS=10000000]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh clang libclang-rt-14-dev
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
FUZZ_RUNS=${1:-10000000} fuzz/run.sh 0
