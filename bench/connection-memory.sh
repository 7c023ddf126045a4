#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Server memory per idle peer: thread per connection, one event loop, and one
# UDP socket for all sensors (bench/connection_memory.cpp), best (smallest) of 3;
# the loop on epoll and on io_uring.
#   bench/connection-memory.sh [BUILD_DIR=build/release] [PEERS=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
peers=${2:-1000}
cmake --build "$build" --target bench_connection_memory >/dev/null
# The loop twice: on epoll and on io_uring (each backend keeps its own table
# per descriptor).
for run in "threads epoll" "loop epoll" "loop uring" "udp epoll"; do
  read -r mode backend <<<"$run"
  for rep in 1 2 3; do "$build/bench/bench_connection_memory" "$mode" "$peers" "$backend"; done |
    awk 'NR == 1 || $7 < best { best = $7; line = $0 } END { print line }'
done
