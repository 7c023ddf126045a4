#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sockkit's echo server (event loop + buffered connection layer, epoll) against
# a hand-written raw epoll echo server in C, side by side in one run: server
# pinned to core 0, load generator to core 1, servers alternating, best of 3.
#
#   bench/compare.sh [SECONDS_PER_RUN=3] [REPEATS=3] [SERVER...]
#
# SERVER: sockkit (default; epoll), sockkit-uring (its io_uring backend),
# asio, libuv, libevent — the same echo server on
# each library (bench/peers/, built when Debian's libasio-dev, libuv1-dev and
# libevent-dev are installed); the raw epoll baseline always runs.
# `bench/compare.sh 3 3 sockkit asio libuv libevent` is the peer table.
# `reference` is another build's sockkit (epoll), named by SOCKKIT_REFERENCE,
# for before/after figures of a change:
#   SOCKKIT_REFERENCE=../old/build/release/tools/sockkit bench/compare.sh 3 5 sockkit reference
# ONLY=WORD runs only the scenarios whose name starts with WORD (latency,
# throughput, bandwidth, idle).
#
# Ratios >= 1.00 mean the server is at least as good as the baseline:
# throughput server/baseline, latency baseline/server. Server CPU per message
# comes from /proc/PID/stat.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
repeats=${2:-3}
shift $(($# > 2 ? 2 : $#))
servers=("${@:-sockkit}")
kinds=("${servers[@]}" baseline)
scripts/deps.sh >/dev/null
targets=(sockkit_cli baseline_epoll_echo)
for kind in "${servers[@]}"; do
  case $kind in
    sockkit | sockkit-uring) ;;
    reference)
      [ -x "${SOCKKIT_REFERENCE:-}" ] ||
        { echo "compare: reference needs SOCKKIT_REFERENCE=path/to/sockkit" >&2; exit 2; } ;;
    asio) scripts/deps.sh libasio-dev >/dev/null; targets+=(bench_asio_echo) ;;
    libuv) scripts/deps.sh libuv1-dev pkgconf >/dev/null; targets+=(bench_libuv_echo) ;;
    libevent) scripts/deps.sh libevent-dev pkgconf >/dev/null; targets+=(bench_libevent_echo) ;;
    *) echo "compare: unknown server '$kind' (sockkit, sockkit-uring, reference, asio, libuv, libevent)" >&2; exit 2 ;;
  esac
done
cmake --preset release >/dev/null  # after the peers' packages: it looks for them
cmake --build --preset release --target "${targets[@]}" >/dev/null
ulimit -n "$(ulimit -Hn)"
sk=build/release/tools/sockkit
base=build/release/bench/baseline_epoll_echo
tmp=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ticks_per_s=$(getconf CLK_TCK)
cores=$(nproc)
server_core=0
client_core=$((cores > 1 ? 1 : 0))

# The load generator busy-polls (it never sleeps in epoll) and writes each
# connection's pipeline in one send, so that the server, not the client, is
# what runs out of CPU: see the "server CPU %" column.
scenarios=(
  "latency: 1 conn, 64 B ping-pong|-c 1 -s 64 -p 1 --busy-poll"
  "throughput: 50 conns x 64 B x pipeline 16|-c 50 -s 64 -p 16 --busy-poll"
  "bandwidth: 10 conns x 16 KiB|-c 10 -s 16384 -p 4 --busy-poll"
  "idle: 10 active + 10,000 idle|-c 10 -s 64 -p 1 --idle 10000 --busy-poll"
)

start_server() {  # kind port
  local log=$tmp/server.log
  : >"$log"
  case $1 in
    sockkit) taskset -c $server_core "$sk" echo-server -l "127.0.0.1:$2" -b epoll -q -m 20000 >"$log" 2>&1 & ;;
    sockkit-uring) taskset -c $server_core "$sk" echo-server -l "127.0.0.1:$2" -b uring -q -m 20000 >"$log" 2>&1 & ;;
    reference) taskset -c $server_core "$SOCKKIT_REFERENCE" echo-server -l "127.0.0.1:$2" -b epoll -q -m 20000 >"$log" 2>&1 & ;;
    baseline) taskset -c $server_core "$base" "$2" >"$log" 2>&1 & ;;
    *) taskset -c $server_core "build/release/bench/bench_$1_echo" "$2" >"$log" 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && return 0; sleep 0.05; done
  echo "compare: $1 server did not start" >&2
  cat "$log" >&2
  exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One run: prints "msgs_per_s p50_us p99_us cpu_us_per_msg server_cpu_percent".
run_one() {  # kind args port
  start_server "$1" "$3"
  local before after
  before=$(cpu_ticks "$server_pid")
  # shellcheck disable=SC2086
  taskset -c $client_core "$sk" bench --connect "127.0.0.1:$3" $2 -d "$seconds" --csv "$tmp/run.csv" >/dev/null
  after=$(cpu_ticks "$server_pid")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  sleep 1  # let the kernel finish tearing down the last run's sockets
  awk -F, -v cpu="$((after - before))" -v hz="$ticks_per_s" 'NR == 2 {
      msgs = $6 * $12
      printf "%s %s %s %.3f %.0f\n", $6, $8, $9, (msgs > 0 ? cpu / hz * 1e6 / msgs : 0),
        ($12 > 0 ? cpu / hz / $12 * 100 : 0) }' "$tmp/run.csv"
}

port=24000
printf '| scenario | server | best msgs/s | best p50 us | p99 us | server CPU us/msg | server CPU %% | ratio |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
for entry in "${scenarios[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  [[ $name == "${ONLY:-}"* ]] || continue
  declare -A best_rate=() best_p50=() best_p99=() best_cpu=() best_load=()
  for rep in $(seq "$repeats"); do
    for kind in "${kinds[@]}"; do
      port=$((port + 1))
      read -r rate p50 p99 cpu load < <(run_one "$kind" "$args" "$port")
      echo "  $name rep $rep $kind: $rate msgs/s p50 $p50 us cpu $cpu us/msg, server at $load %" >&2
      if [ -z "${best_rate[$kind]:-}" ] || awk "BEGIN{exit !($rate > ${best_rate[$kind]})}"; then
        best_rate[$kind]=$rate; best_p99[$kind]=$p99; best_load[$kind]=$load
      fi
      if [ -z "${best_p50[$kind]:-}" ] || awk "BEGIN{exit !($p50 < ${best_p50[$kind]})}"; then best_p50[$kind]=$p50; fi
      if [ -z "${best_cpu[$kind]:-}" ] || awk "BEGIN{exit !($cpu < ${best_cpu[$kind]})}"; then best_cpu[$kind]=$cpu; fi
    done
  done
  for kind in "${kinds[@]}"; do
    r=""
    if [ "$kind" != baseline ]; then
      if [[ $name == latency* ]]; then
        r=$(awk "BEGIN{printf \"%.2f\", ${best_p50[baseline]} / ${best_p50[$kind]}}")
      else
        r=$(awk "BEGIN{printf \"%.2f\", ${best_rate[$kind]} / ${best_rate[baseline]}}")
      fi
    fi
    printf '| %s | %s | %.0f | %s | %s | %s | %s | %s |\n' "$name" "$kind" "${best_rate[$kind]}" \
      "${best_p50[$kind]}" "${best_p99[$kind]}" "${best_cpu[$kind]}" "${best_load[$kind]}" "$r"
  done
  unset best_rate best_p50 best_p99 best_cpu best_load
done
