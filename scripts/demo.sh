#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: build the sockkit tool and run `sockkit demo` — an echo server on
# every backend, loaded over loopback, every byte verified, then the idle-scaling
# comparison. Extra arguments go to `sockkit demo` (e.g. --duration 3).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sockkit_cli | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
exec build/release/tools/sockkit demo "$@"
