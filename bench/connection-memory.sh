#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Server memory per idle peer: thread per connection, one event loop, and one
# UDP socket for all sensors (bench/connection_memory.cpp), best (smallest) of 3.
#   bench/connection-memory.sh [BUILD_DIR=build/release] [PEERS=1000]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
peers=${2:-1000}
cmake --build "$build" --target bench_connection_memory >/dev/null
for mode in threads loop udp; do
  for rep in 1 2 3; do "$build/bench/bench_connection_memory" "$mode" "$peers"; done |
    awk 'NR == 1 || $7 < best { best = $7; line = $0 } END { print line }'
done
