#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Level- against edge-triggered epoll: the same `sockkit echo-server` with
# -b epoll and -b epoll-et, loaded by `sockkit bench --connect` (pipelined 64 B
# messages, and many mostly idle connections), server and client on separate
# cores, three interleaved repeats. Prints best msgs/s and the server's CPU per
# message (from /proc/PID/stat), and the ratios edge/level.
#   bench/lt-vs-et.sh [BUILD_DIR=build/release] [SECONDS=2]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
seconds=${2:-2}
sk=$build/tools/sockkit
hz=$(getconf CLK_TCK)
cores=$(nproc)
server_core=0 client_core=$((cores > 1 ? 1 : 0))
tmp=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

run_one() {  # backend, bench args -> "msgs_per_s cpu_us_per_msg"
  taskset -c $server_core "$sk" echo-server -l 127.0.0.1:0 -b "$1" -q -m 20000 >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do grep -q "listening on" "$tmp/server.log" && break; sleep 0.1; done
  local addr before after
  addr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$tmp/server.log")
  before=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  # shellcheck disable=SC2086
  taskset -c $client_core "$sk" bench --connect "$addr" $2 -d "$seconds" --csv "$tmp/run.csv" >/dev/null
  after=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  awk -F, -v cpu="$((after - before))" -v hz="$hz" 'NR == 2 {
    msgs = $6 * $12; printf "%s %.3f\n", $6, (msgs > 0 ? cpu / hz * 1e6 / msgs : 0) }' "$tmp/run.csv"
}

printf "%-34s %-9s %12s %14s\n" scenario backend "best msgs/s" "best CPU us/msg"
for scenario in "pipelined|-c 16 -s 64 -p 16" "idle 2000, 16 active|-c 16 -s 64 -p 4 --idle 2000"; do
  name=${scenario%%|*} args=${scenario#*|}
  declare -A rate=() cpu=()
  for rep in 1 2 3; do
    for backend in epoll epoll-et; do
      read -r r c < <(run_one "$backend" "$args")
      if [ -z "${rate[$backend]:-}" ] || awk -v a="$r" -v b="${rate[$backend]}" 'BEGIN{exit !(a > b)}'; then
        rate[$backend]=$r
      fi
      if [ -z "${cpu[$backend]:-}" ] || awk -v a="$c" -v b="${cpu[$backend]}" 'BEGIN{exit !(a < b)}'; then
        cpu[$backend]=$c
      fi
    done
  done
  for backend in epoll epoll-et; do
    printf "%-34s %-9s %12s %14s\n" "$name" "$backend" "${rate[$backend]}" "${cpu[$backend]}"
  done
  awk -v r1="${rate[epoll]}" -v r2="${rate[epoll-et]}" -v c1="${cpu[epoll]}" -v c2="${cpu[epoll-et]}" -v n="$name" \
    'BEGIN { printf "%-34s %-9s %12.2f %14.2f\n", n, "ET/LT", r2 / r1, (c1 > 0 ? c2 / c1 : 0) }'
  unset rate cpu
done
