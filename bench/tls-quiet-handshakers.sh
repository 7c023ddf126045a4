#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Quiet TLS handshakers (a ClientHello, then nothing) against `sockkit
# echo-server` on each TLS backend: the server's RSS before and after three
# bursts, and a real client's wait while limit + 10 of them hold their
# handshakes (-m 50, and the default 1024). Figures in docs/tls.md.
# Usage: bench/tls-quiet-handshakers.sh [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 4096 2>/dev/null || true  # more than 1024 peers at once
build=${1:-build/release}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bench/make-cert.sh "$dir"
for backend in openssl mbedtls; do
  for limit in 50 1024; do
    "$build/tools/sockkit" echo-server -l 127.0.0.1:0 -m "$limit" --quiet \
      --tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem" --tls-backend "$backend" \
      >"$dir/server.out" 2>&1 &
    server=$!
    sleep 0.5
    at=$(grep -o 'listening on [0-9.:]*' "$dir/server.out" | awk '{print $3}')
    echo "== $backend, -m $limit"
    "$build/bench/bench_tls_quiet_handshakers" "$at" "$server" "$limit" 300 || true
    kill "$server"
    wait "$server" 2>/dev/null || true
  done
done
