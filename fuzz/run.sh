#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every fuzz target for SECONDS each over a copy of its seed corpus (the
# repository's corpus is never modified) and prints the executions reached.
# A crash leaves its input in build/fuzz/artifacts/ and fails the run.
# Usage: fuzz/run.sh [SECONDS=30] [BUILD_DIR=build/fuzz]
#        FUZZ_RUNS=N fuzz/run.sh ...   stop each target after N executions instead
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build=${2:-build/fuzz}
mkdir -p "$build/artifacts"
status=0
targets=(endpoint ip_text delimiter_framer length_prefix_framer dns_message mqtt_packet mqtt_session
         websocket_frame)
[ -x "$build/fuzz/fuzz_tls_handshake" ] && targets+=(tls_handshake)  # builds with TLS
# One target per core at a time (FUZZ_JOBS, 2 by default): each is one process.
run_target() {
  local target=$1 work log runs took limit
  work=$(mktemp -d)
  cp -r "fuzz/corpus/$target/." "$work/"
  log="$build/fuzz_$target.log"
  limit=(-max_total_time="$seconds")
  [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
  if "$build/fuzz/fuzz_$target" "${limit[@]}" -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$target-" "$work" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
    echo "fuzz $target: $runs executions in ${took:-$seconds} s, no crash"
    rm -rf "$work"
  else
    echo "fuzz $target: FAILED (see $log)"; tail -n 30 "$log"
    rm -rf "$work"
    return 1
  fi
}
jobs=${FUZZ_JOBS:-2}
running=0
for target in "${targets[@]}"; do
  if ((running == jobs)); then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
