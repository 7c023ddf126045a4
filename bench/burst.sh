#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Memory given back after a burst: 20 peers send and never read (the server's
# write queues fill to their high watermark), then vanish. Prints the echo
# server's RSS before, at the peak and after, for each backend, best of 3 runs
# (smallest growth after the burst). Usage: bench/burst.sh [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
for backend in epoll epoll-et poll uring; do
  best=""
  for run in 1 2 3; do
    out=$(mktemp)
    "$build/tools/sockkit" echo-server -q -l 127.0.0.1:0 -b "$backend" >"$out" &
    server=$!
    for _ in $(seq 50); do grep -q "listening on" "$out" && break; sleep 0.1; done
    addr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$out")
    report=$("$build/tests/sockkit-hostile" "$addr" --pid "$server" never-read)
    kill "$server"; wait "$server" 2>/dev/null || true; rm -f "$out"
    before=$(sed -n 's/^server RSS \([0-9]*\) kB at the start.*/\1/p' <<<"$report")
    peak=$(sed -n 's/.*RSS at peak \([0-9]*\) kB.*/\1/p' <<<"$report")
    after=$(sed -n 's/.* at the start, \([0-9]*\) kB at the end.*/\1/p' <<<"$report")
    growth=$((after - before))
    if [ -z "$best" ] || [ "$growth" -lt "${best%% *}" ]; then best="$growth $before $peak $after"; fi
  done
  read -r growth before peak after <<<"$best"
  echo "burst $backend: RSS before ${before} kB, peak ${peak} kB, after ${after} kB (+${growth} kB)"
done
