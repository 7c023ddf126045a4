#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `sockkit mqtt pub -l` and `sub -C` beside mosquitto_pub and mosquitto_sub:
# N lines through a local mosquitto at QoS 0, 1 and 2, each tool RUNS times,
# interleaved; best wall time and peak RSS of each, and sockkit's time as a
# ratio of the reference's. The broker is started here on a free port and
# stopped by its PID.
# Usage: bench/mqtt-cli.sh [BUILD_DIR=build/release] [N=20000] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
lines=${2:-20000}
runs=${3:-3}
cmake --build "$build" --target sockkit_cli >/dev/null
sockkit=$build/tools/sockkit
for tool in mosquitto mosquitto_pub mosquitto_sub /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "mqtt-cli: $tool is not installed" >&2; exit 1; }
done
scratch=$(mktemp -d)
broker=
cleanup() { [ -n "$broker" ] && kill "$broker" 2>/dev/null; rm -rf "$scratch"; }
trap cleanup EXIT
port=$(shuf -i 20000-40000 -n 1)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$port" >"$scratch/conf"
mosquitto -c "$scratch/conf" >"$scratch/broker.log" 2>&1 &
broker=$!
sleep 0.5
seq 1 "$lines" >"$scratch/lines"

# One run: prints "seconds peak_kib"; a run that loses messages fails the benchmark.
pub_run() {  # $1 = ours|reference, $2 = qos
  local cmd
  if [ "$1" = ours ]; then cmd="$sockkit mqtt pub"; else cmd="mosquitto_pub"; fi
  timeout 120 mosquitto_sub -h 127.0.0.1 -p "$port" -t bench/pub -q "$2" -C "$lines" >"$scratch/got" &
  local sub=$!
  sleep 0.3
  /usr/bin/time -f '%e %M' -o "$scratch/time" \
    $cmd -h 127.0.0.1 -p "$port" -t bench/pub -q "$2" -l <"$scratch/lines"
  wait "$sub"
  cmp -s "$scratch/got" "$scratch/lines" || { echo "mqtt-cli: pub $1 QoS $2 lost messages" >&2; exit 1; }
  cat "$scratch/time"
}
sub_run() {  # $1 = ours|reference, $2 = qos
  local cmd
  if [ "$1" = ours ]; then cmd="$sockkit mqtt sub"; else cmd="mosquitto_sub"; fi
  /usr/bin/time -f '%e %M' -o "$scratch/time" \
    timeout 120 $cmd -h 127.0.0.1 -p "$port" -t bench/sub -q "$2" -C "$lines" >"$scratch/got" &
  local sub=$!
  sleep 0.5
  mosquitto_pub -h 127.0.0.1 -p "$port" -t bench/sub -q "$2" -l <"$scratch/lines"
  wait "$sub"
  cmp -s "$scratch/got" "$scratch/lines" || { echo "mqtt-cli: sub $1 QoS $2 lost messages" >&2; exit 1; }
  cat "$scratch/time"
}

best() { sort -n | head -n1; }
echo "mqtt-cli: $lines lines through mosquitto $(mosquitto -h 2>&1 | head -n1 | awk '{print $3}'), best of $runs"
printf '%-4s %-4s %14s %14s %8s %14s %14s\n' cmd qos "sockkit s" "mosquitto s" ratio "sockkit KiB" "mosquitto KiB"
for what in pub sub; do
  for qos in 0 1 2; do
    : >"$scratch/ours" && : >"$scratch/ref"
    for _ in $(seq "$runs"); do
      "${what}_run" ours "$qos" >>"$scratch/ours"
      "${what}_run" reference "$qos" >>"$scratch/ref"
    done
    ours_s=$(awk '{print $1}' "$scratch/ours" | best)
    ref_s=$(awk '{print $1}' "$scratch/ref" | best)
    ours_k=$(awk '{print $2}' "$scratch/ours" | best)
    ref_k=$(awk '{print $2}' "$scratch/ref" | best)
    printf '%-4s %-4s %14s %14s %8.2f %14s %14s\n' "$what" "$qos" "$ours_s" "$ref_s" \
      "$(awk -v a="$ours_s" -v b="$ref_s" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$ours_k" "$ref_k"
  done
done
