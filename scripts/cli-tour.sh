#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A tour of the sockkit tool on loopback: echo server, netcat-like client, UDP, errors.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sockkit_cli | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
sk=build/release/tools/sockkit
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

wait_for_line() {  # file: wait until the tool printed its "listening on" line
  for _ in $(seq 50); do grep -q "listening on" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "demo: server did not start" >&2; return 1
}

echo "== TCP: echo server (event loop) on an ephemeral port"
"$sk" echo-server --listen 127.0.0.1:0 --count 2 >"$tmp/echo.out" 2>"$tmp/echo.log" &
pids+=($!)
wait_for_line "$tmp/echo.out"
addr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$tmp/echo.out")
echo "   server: $addr"
echo "== TCP: netcat-like client; stdin EOF half-closes, the echo is still read to the end"
printf 'meter 17: 230.4 V\nmeter 17: 4.2 A\n' | "$sk" connect "$addr" | sed 's/^/   echo: /'
echo "== TCP: 1 MiB through the echo, compared byte for byte"
head -c 1048576 /dev/urandom >"$tmp/blob"
"$sk" connect "$addr" <"$tmp/blob" >"$tmp/blob.echo"
cmp "$tmp/blob" "$tmp/blob.echo" && echo "   1048576 bytes echoed intact"
wait "${pids[0]}"
sed 's/^/   server log: /' "$tmp/echo.log"

echo "== UDP: receiver with a 16-byte buffer (truncation is reported, not hidden)"
"$sk" udp-recv --listen 127.0.0.1:0 --count 2 --buffer 16 --timeout 5 >"$tmp/udp.out" 2>&1 &
pids+=($!)
wait_for_line "$tmp/udp.out"
uaddr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$tmp/udp.out")
"$sk" udp-send "$uaddr" "sensor:42"
"$sk" udp-send "$uaddr" "a reading far longer than sixteen bytes"
wait "${pids[1]}"
sed 's/^/   /' "$tmp/udp.out"

echo "== Errors are values: one line, a portable condition, a non-zero exit"
for target in 127.0.0.1:1 127.0.0.1:70000; do
  { "$sk" connect "$target" 2>&1 || echo "(exit status $?)"; } | sed 's/^/   /'
done
echo "== demo finished"
