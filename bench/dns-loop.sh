#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The loop's worst ping-pong round trip while a lookup waits on a DNS server
# that never answers: on the test's own loop (every stack), and against a
# blackholed address in a private namespace (root). Best and worst of RUNS runs.
# Usage: bench/dns-loop.sh [BUILD_DIR=build/release] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
runs=${2:-5}
cmake --build "$build" --target test_resolver test_dns_server >/dev/null
for what in "test_resolver:ResolverTest.LoopKeepsServing*" "test_dns_server:DnsServer.LoopServes*"; do
  binary=${what%%:*}
  filter=${what#*:}
  for _ in $(seq "$runs"); do
    "$build/tests/$binary" --gtest_filter="$filter" 2>&1 | sed -n 's/.*worst round trip[^0-9]*\([0-9.]*\) ms.*/\1/p'
  done | sort -n | awk -v b="$binary" 'NR==1{best=$1} {worst=$1; n++}
    END { if (n) printf "%s: worst round trip per run, best %.3f ms, worst %.3f ms (%d runs)\n", b, best, worst, n;
          else printf "%s: skipped (needs root and dnsmasq for the namespace run)\n", b }'
done
