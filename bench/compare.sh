#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sockkit's echo server (event loop + buffered connection layer, epoll) against
# a hand-written raw epoll echo server in C, side by side in one run: server
# pinned to core 0, load generator to core 1, servers alternating, REPEATS runs
# each; the median and (in brackets) the best.
#
#   bench/compare.sh [SECONDS_PER_RUN=3] [REPEATS=3] [SERVER...]
#
# SERVER: sockkit (default; epoll), sockkit-uring (its io_uring backend),
# raw-uring (a hand-written io_uring echo server in C, bench/baseline/;
# -sync: echoing with send() at once; -inc: large incrementally consumed
# buffers; raw-uring-sync-inc both),
# asio, libuv, libevent — the same echo server on
# each library (bench/peers/, built when Debian's libasio-dev, libuv1-dev and
# libevent-dev are installed); the raw epoll baseline always runs.
# `bench/compare.sh 3 3 sockkit asio libuv libevent` is the peer table.
# `reference` is another build's sockkit (epoll), named by SOCKKIT_REFERENCE,
# for before/after figures of a change:
#   SOCKKIT_REFERENCE=../old/build/release/tools/sockkit bench/compare.sh 3 5 sockkit reference
# (reference-uring: that build's io_uring backend).
# ONLY=WORD runs only the scenarios whose name starts with WORD (latency,
# throughput, bandwidth, idle).
#
# Ratios >= 1.00 mean the server is at least as good as the baseline:
# throughput server/baseline, latency baseline/server; median ratio, best in
# brackets. Server CPU is the server process's /proc/PID/stat over the timed run
# only (sockkit bench --cpu-of), not while idle connections are being opened.
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
    raw-uring | raw-uring-sync | raw-uring-inc | raw-uring-sync-inc) targets+=(baseline_uring_echo) ;;
    reference | reference-uring)
      [ -x "${SOCKKIT_REFERENCE:-}" ] ||
        { echo "compare: reference needs SOCKKIT_REFERENCE=path/to/sockkit" >&2; exit 2; } ;;
    asio) scripts/deps.sh libasio-dev >/dev/null; targets+=(bench_asio_echo) ;;
    libuv) scripts/deps.sh libuv1-dev pkgconf >/dev/null; targets+=(bench_libuv_echo) ;;
    libevent) scripts/deps.sh libevent-dev pkgconf >/dev/null; targets+=(bench_libevent_echo) ;;
    *) echo "compare: unknown server '$kind' (sockkit, sockkit-uring, raw-uring[-sync][-inc], reference[-uring], asio, libuv, libevent)" >&2; exit 2 ;;
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
cores=$(nproc)
server_core=0
client_core=$((cores > 1 ? 1 : 0))

# The load generator busy-polls (it never sleeps in epoll) and writes each
# connection's pipeline in one send, so that the server, not the client, is
# what runs out of CPU: see the "server CPU %" column. In the bandwidth run it
# also counts echoes without copying them (--discard): checking 16 KiB
# messages would cost the client more than echoing them costs the server.
scenarios=(
  "latency: 1 conn, 64 B ping-pong|-c 1 -s 64 -p 1 --busy-poll"
  "throughput: 50 conns x 64 B x pipeline 16|-c 50 -s 64 -p 16 --busy-poll"
  "bandwidth: 10 conns x 16 KiB x pipeline 4|-c 10 -s 16384 -p 4 --busy-poll --discard"
  "idle: 10 active + 10,000 idle|-c 10 -s 64 -p 1 --idle 10000 --busy-poll"
)

start_server() {  # kind port
  local log=$tmp/server.log
  : >"$log"
  case $1 in
    sockkit) taskset -c $server_core "$sk" echo-server -l "127.0.0.1:$2" -b epoll -q -m 20000 >"$log" 2>&1 & ;;
    sockkit-uring) taskset -c $server_core "$sk" echo-server -l "127.0.0.1:$2" -b uring -q -m 20000 >"$log" 2>&1 & ;;
    reference) taskset -c $server_core "$SOCKKIT_REFERENCE" echo-server -l "127.0.0.1:$2" -b epoll -q -m 20000 >"$log" 2>&1 & ;;
    reference-uring)
      taskset -c $server_core "$SOCKKIT_REFERENCE" echo-server -l "127.0.0.1:$2" -b uring -q -m 20000 >"$log" 2>&1 & ;;
    baseline) taskset -c $server_core "$base" "$2" >"$log" 2>&1 & ;;
    raw-uring*)
      local flags=()
      [[ $1 == *-sync* ]] && flags+=(--sync-send)
      [[ $1 == *-inc* ]] && flags+=(--inc)
      taskset -c $server_core build/release/bench/baseline_uring_echo "$2" "${flags[@]}" >"$log" 2>&1 & ;;
    *) taskset -c $server_core "build/release/bench/bench_$1_echo" "$2" >"$log" 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$log" && return 0; sleep 0.05; done
  echo "compare: $1 server did not start" >&2
  cat "$log" >&2
  exit 1
}

# One run: prints "msgs_per_s p50_us p99_us cpu_us_per_msg server_cpu_percent".
run_one() {  # kind args port
  start_server "$1" "$3"
  # shellcheck disable=SC2086
  taskset -c $client_core "$sk" bench --connect "127.0.0.1:$3" $2 -d "$seconds" \
    --cpu-of "$server_pid" --csv "$tmp/run.csv" >/dev/null
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  sleep 1  # let the kernel finish tearing down the last run's sockets
  awk -F, 'NR == 2 {
      msgs = $6 * $12
      printf "%s %s %s %.3f %.0f\n", $6, $8, $9, (msgs > 0 ? $13 * 1e6 / msgs : 0),
        ($12 > 0 ? $13 / $12 * 100 : 0) }' "$tmp/run.csv"
}

values() { tr -s ' ' '\n' | grep . | sort -g; }
median() { values | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
best_high() { values | tail -1; }
best_low() { values | head -1; }

port=24000
printf '| scenario | server | msgs/s median (best) | p50 us median (best) | p99 us median | server CPU us/msg median | server CPU %% median | ratio median (best) |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
for entry in "${scenarios[@]}"; do
  name=${entry%%|*}
  args=${entry#*|}
  [[ $name == "${ONLY:-}"* ]] || continue
  declare -A rates=() p50s=() p99s=() cpus=() loads=()
  for rep in $(seq "$repeats"); do
    for kind in "${kinds[@]}"; do
      port=$((port + 1))
      read -r rate p50 p99 cpu load < <(run_one "$kind" "$args" "$port")
      echo "  $name rep $rep $kind: $rate msgs/s p50 $p50 us cpu $cpu us/msg, server at $load %" >&2
      rates[$kind]+="$rate "; p50s[$kind]+="$p50 "; p99s[$kind]+="$p99 "
      cpus[$kind]+="$cpu "; loads[$kind]+="$load "
    done
  done
  for kind in "${kinds[@]}"; do
    rate_med=$(median <<<"${rates[$kind]}"); rate_best=$(best_high <<<"${rates[$kind]}")
    p50_med=$(median <<<"${p50s[$kind]}"); p50_best=$(best_low <<<"${p50s[$kind]}")
    r=""
    if [ "$kind" != baseline ]; then
      if [[ $name == latency* ]]; then
        r=$(awk -v m="$(median <<<"${p50s[baseline]}")" -v b="$(best_low <<<"${p50s[baseline]}")" \
          -v km="$p50_med" -v kb="$p50_best" 'BEGIN{printf "%.2f (%.2f)", m / km, b / kb}')
      else
        r=$(awk -v m="$(median <<<"${rates[baseline]}")" -v b="$(best_high <<<"${rates[baseline]}")" \
          -v km="$rate_med" -v kb="$rate_best" 'BEGIN{printf "%.2f (%.2f)", km / m, kb / b}')
      fi
    fi
    printf '| %s | %s | %.0f (%.0f) | %s (%s) | %s | %s | %s | %s |\n' "$name" "$kind" "$rate_med" \
      "$rate_best" "$p50_med" "$p50_best" "$(median <<<"${p99s[$kind]}")" \
      "$(median <<<"${cpus[$kind]}")" "$(median <<<"${loads[$kind]}")" "$r"
  done
  unset rates p50s p99s cpus loads
done
