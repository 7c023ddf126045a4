#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every figure in docs/performance.md, re-measured. About 6 minutes.
# Keep the machine otherwise idle: the wall-clock comparison is sensitive to noise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh valgrind gnuplot-nox >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null
echo "## sockkit vs raw epoll C server (bench/compare.sh: median and best of 5)"
bench/compare.sh 3 5 2>/dev/null
echo
echo "## Instructions per echoed message (bench/callgrind.sh)"
bench/callgrind.sh
echo
echo "## Memory and allocations (bench_memory)"
build/release/bench/bench_memory 10000 100000
echo
echo "## Micro-benchmarks (bench_micro)"
build/release/bench/bench_micro --benchmark_min_time=0.1 2>/dev/null | grep -E '^(BM_|-|Benchmark)'
echo
echo "## Idle scaling chart (sockkit bench --scaling)"
build/release/tools/sockkit bench -b select,poll,epoll,uring -c 1 -d 1 \
  --scaling 0,250,450,1000,2000,4000 --plot docs/idle-scaling.png --csv docs/idle-scaling.csv
rm -f docs/idle-scaling.png.csv docs/idle-scaling.png.gp
echo
echo "## On the emulated Cortex-M4 board (bench/board-footprint.sh, bench/board-memory.sh)"
bench/board-footprint.sh
bench/board-memory.sh 3
