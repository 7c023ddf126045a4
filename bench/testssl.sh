#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# testssl.sh (Debian's) against `sockkit echo-server` with TLS, once per TLS
# backend: protocols, cipher categories and known vulnerabilities. Prints the
# verdict lines and fails if testssl flags anything (a protocol below TLS 1.2,
# a weak cipher category offered, a vulnerability). About 30 s per backend.
# Usage: bench/testssl.sh [BUILD_DIR=build/release]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
scripts/deps.sh testssl.sh openssl >&2
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bench/make-cert.sh "$work"
status=0
for backend in openssl mbedtls; do
  "$build/tools/sockkit" echo-server -q -l 127.0.0.1:0 --tls-cert "$work/cert.pem" \
    --tls-key "$work/key.pem" --tls-backend "$backend" >"$work/server.out" 2>&1 &
  server=$!
  for _ in $(seq 50); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
  addr=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$work/server.out")
  if [ -z "$addr" ]; then echo "testssl $backend: server did not start: $(cat "$work/server.out")"; status=1; continue; fi
  testssl --quiet --color 0 --warnings off --fast -p -s -U "$addr" >"$work/report" 2>&1 || true
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "== testssl $backend"
  grep -E '^ (SSLv2|SSLv3|TLS 1|TLS 1\.[123]) |offered|vulnerable|not vulnerable|supported' "$work/report" |
    sed 's/  */ /g'
  # Anything testssl marks as a finding: a legacy protocol or weak cipher
  # offered, or a vulnerability. "not offered"/"not vulnerable" lines are fine.
  if grep -E '^ (SSLv2|SSLv3|TLS 1|TLS 1\.1) +offered|VULNERABLE|NOT ok|(NULL|Anonymous|Export|LOW|Triple DES).* offered \(NOT' "$work/report"; then
    echo "testssl $backend: FLAGGED"; status=1
  else
    echo "testssl $backend: nothing flagged"
  fi
done
exit $status
