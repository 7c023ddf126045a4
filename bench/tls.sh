#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TLS figures for docs/tls.md: heap per connection (idle, active, handshake
# peak) on each TLS backend, and what a resumed handshake saves (round trips
# and bytes, from the conformance suite's resumption test).
# Usage: bench/tls.sh [BUILD_DIR=build/release] [CONNECTIONS=200]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
n=${2:-200}
for backend in openssl mbedtls; do
  "$build/bench/bench_tls_memory" "$backend" "$n" 50 || echo "tls $backend: not in this build"
done
# mbedTLS's embedded profile (built from Debian's source: the tls-embedded preset).
cmake --preset tls-embedded >/dev/null
cmake --build --preset tls-embedded >/dev/null
echo -n "embedded profile: "
build/tls-embedded/bench/bench_tls_memory mbedtls "$n" 50
"$build/tests/test_tls" --gtest_filter='*ASecondConnectResumesTheSession*' 2>/dev/null |
  awk '/^\[ RUN/ { name = $NF } /^full:/ { sub(/.*\//, "", name); print "resumption " name ": " $0 }'
