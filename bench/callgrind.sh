#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per echoed message, server side, counted by valgrind's callgrind:
# deterministic, so it is stable on a noisy machine. Each server serves one
# connection of N 64-byte ping-pong messages and exits; the count for N=2,000 is
# subtracted from N=12,000, which cancels start-up and shut-down.
#
#   bench/callgrind.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh valgrind >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target sockkit_cli baseline_epoll_echo >/dev/null
sk=build/release/tools/sockkit
base=build/release/bench/baseline_epoll_echo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
low=2000
high=12000
port=23000

instructions() {  # kind messages -> total Ir of the server process
  port=$((port + 1))
  local out=$tmp/$1.$2.cg log=$tmp/$1.$2.log
  if [ "$1" = sockkit ]; then
    valgrind --tool=callgrind --callgrind-out-file="$out" "$sk" echo-server \
      -l "127.0.0.1:$port" -b epoll -n 1 -q >"$log" 2>&1 &
  else
    valgrind --tool=callgrind --callgrind-out-file="$out" "$base" "$port" --once >"$log" 2>&1 &
  fi
  local pid=$!
  for _ in $(seq 200); do grep -q "listening on" "$log" && break; sleep 0.05; done
  "$sk" bench --connect "127.0.0.1:$port" -c 1 -s 64 -p 1 -n "$2" -d 600 >/dev/null
  wait "$pid"
  awk '/^(summary|totals):/ {print $2; exit}' "$out"
}

printf '| server | Ir (%d msgs) | Ir (%d msgs) | instructions per echoed message |\n' $low $high
printf '|---|---:|---:|---:|\n'
declare -A per
for kind in sockkit baseline; do
  a=$(instructions "$kind" $low)
  b=$(instructions "$kind" $high)
  per[$kind]=$(( (b - a) / (high - low) ))
  printf '| %s | %s | %s | %s |\n' "$kind" "$a" "$b" "${per[$kind]}"
done
awk -v s="${per[sockkit]}" -v b="${per[baseline]}" \
  'BEGIN { printf "\nratio baseline/sockkit: %.2f (>= 1.00: sockkit runs no more instructions per message)\n", b / s }'
