#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Throughput over lwIP's loopback, sockkit's server vs a raw lwip_poll server,
# the same raw lwip_* client, both lwIP profiles. Builds the lwip preset first.
#   bench/lwip-throughput.sh [MiB per run] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-64}
runs=${2:-5}
cmake --preset lwip >/dev/null
cmake --build --preset lwip --target bench_lwip_echo_roomy bench_lwip_echo_constrained >/dev/null
for profile in roomy constrained; do
  for server in raw sockkit; do
    printf '%-12s ' "$profile"
    build/lwip/bench/lwip/bench_lwip_echo_$profile "$server" "$mib" "$runs"
  done
done
