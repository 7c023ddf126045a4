#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Churn soak: opens, uses and closes N connections (default 100,000) against
# `sockkit echo-server`, with behaviours drawn from the hostile set (a normal
# request, reset mid-request, half-close first, silent, send and never read),
# samples the server's descriptor count and RSS, and plots both with gnuplot.
# Usage: bench/soak.sh [N] [BACKEND=epoll|poll|select|uring|epoll-et|blocking] [BUILD_DIR=build/release]
# Output: bench/out/soak-BACKEND.dat and bench/out/soak-BACKEND.png
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-100000}
backend=${2:-epoll}
build=${3:-build/release}
scripts/deps.sh gnuplot-nox
mkdir -p bench/out
data=bench/out/soak-$backend.dat
out=$(mktemp)
mode=(-b "$backend")
[ "$backend" = blocking ] && mode=(--blocking)  # a thread per connection
"$build/tools/sockkit" echo-server -q -l 127.0.0.1:0 "${mode[@]}" -m 4096 >"$out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$out" && break; sleep 0.1; done
addr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$out")
start=$(date +%s)
"$build/tests/sockkit-hostile" "$addr" --pid "$server" --soak "$total" >"$data"
seconds=$(($(date +%s) - start))
awk -v backend="$backend" -v s="$seconds" '
  !/^#/ && NF == 3 { n++; if (n == 1) { f0 = $2; r0 = $3 } last = $1; f = $2; r = $3
                     if ($2 > fmax) fmax = $2; if ($3 > rmax) rmax = $3 }
  /well-behaved/ { answered = $2 " of " $4 }
  END { printf "soak %s: %d connections in %d s; server fds %d at the start, %d at most, %d at the end; RSS %d kB, %d kB at most, %d kB at the end; %s requests answered\n",
        backend, last, s, f0, fmax, f, r0, rmax, r, answered }' "$data"
gnuplot <<PLOT
set terminal pngcairo size 900,420 noenhanced
set output "bench/out/soak-$backend.png"
set title "sockkit echo-server ($backend): $total connections of churn"
set xlabel "connections served"
set ylabel "server RSS (kB)"
set y2label "server descriptors"
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set key bottom right
plot "$data" using 1:3 with lines lw 2 title "RSS (kB)", \
     "$data" using 1:2 axes x1y2 with lines lw 2 title "descriptors"
PLOT
echo "plot: bench/out/soak-$backend.png"
