#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TLS speed: sockkit's TLS echo server (OpenSSL and mbedTLS backends) against
# Asio's ssl::stream echo server over OpenSSL, with the same client
# (`sockkit bench --tls`, OpenSSL backend, TLS 1.3 where both speak it):
# bandwidth with 16 KiB messages, full and resumed handshakes per second.
# Servers take turns within each round; best of ROUNDS; ratios against Asio.
# Usage: bench/tls-speed.sh [ROUNDS=3] [SECONDS=3] [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-3}
build=${3:-build/release}
cli=$build/tools/sockkit
scripts/deps.sh libasio-dev openssl >&2
if [ "$build" = build/release ]; then  # Asio may have just arrived: configure again
  cmake --preset release >/dev/null
  cmake --build --preset release --target sockkit_cli bench_asio_tls_echo >/dev/null
fi
[ -x "$build/bench/bench_asio_tls_echo" ] || { echo "bench_asio_tls_echo not built (libasio-dev)"; exit 1; }
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bench/make-cert.sh "$work"

start_server() {  # name -> sets $server and $addr
  case $1 in
    asio) "$build/bench/bench_asio_tls_echo" "$work/cert.pem" "$work/key.pem" >"$work/out" 2>&1 & ;;
    sockkit-*) "$cli" echo-server -q -l 127.0.0.1:0 -m 4096 --tls-cert "$work/cert.pem" \
                 --tls-key "$work/key.pem" --tls-backend "${1#sockkit-}" >"$work/out" 2>&1 & ;;
  esac
  server=$!
  for _ in $(seq 50); do grep -q "listening on" "$work/out" && break; sleep 0.1; done
  addr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$work/out")
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
client=(--tls --ca "$work/ca.pem" --server-name localhost --tls-backend openssl)

declare -A mbps full resumed  # every round's figure, space-separated
servers=(asio sockkit-openssl sockkit-mbedtls)
for round in $(seq "$rounds"); do
  for s in "${servers[@]}"; do
    start_server "$s"
    m=$("$cli" bench --connect "$addr" "${client[@]}" -c 4 -s 16384 -p 4 -d "$seconds" | awk 'NR==2 {print $8}')
    h=$("$cli" bench --connect "$addr" "${client[@]}" --handshakes -c 4 -d "$seconds")
    f=$(sed -n 's/.*full \([0-9]*\), resumed.*/\1/p' <<<"$h")
    r=$(sed -n 's/.*resumed \([0-9]*\) (.*/\1/p' <<<"$h")
    stop_server
    echo "round $round $s: $m MB/s, full $f/s, resumed $r/s"
    mbps[$s]+="$m "; full[$s]+="$f "; resumed[$s]+="$r "
  done
done
# best (largest) and median of a list of numbers
best() { tr ' ' '\n' <<<"$1" | grep . | sort -g | tail -n1; }
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# One row per server: each figure reduced by $1 (best or median), and its ratio to Asio's.
table() {
  local s list
  for s in "${servers[@]}"; do
    printf '%-16s' "$s"
    for list in mbps full resumed; do
      declare -n l=$list
      awk -v v="$($1 "${l[$s]}")" -v a="$($1 "${l[asio]}")" \
        'BEGIN { printf " %-22s", sprintf("%.1f (%.2f)", v, v / a) }'
    done
    echo
  done
}
echo
printf '%-16s %-22s %-22s %-22s\n' server "MB/s (ratio)" "full hs/s (ratio)" "resumed hs/s (ratio)"
echo "best of the rounds:"
table best
echo "medians of the rounds:"
table median
