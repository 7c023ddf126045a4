#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds tests/porting — a firmware that brings its own lwIP tree, lwipopts.h and
# port, starts lwIP itself and attaches sockkit — both ways sockkit takes an
# application's lwIP (its CMake target; its tree), and runs each build.
#   scripts/porting-check.sh [WORK_DIR]     # default build/porting
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/build/porting}
mkdir -p "$work"
lwip=$("$root/scripts/fetch-source.sh" lwip "$work/lwip-src")
for way in target tree; do
  echo "porting: the firmware's lwIP as its $way"
  cmake -S "$root/tests/porting" -B "$work/$way" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DAPP_LWIP="$way" -DLWIP_DIR="$lwip" >"$work/$way.log" 2>&1 ||
    { tail -n 30 "$work/$way.log"; exit 1; }
  cmake --build "$work/$way" -j2 >>"$work/$way.log" 2>&1 || { grep -E 'error|Error' -A3 "$work/$way.log" | head -40; exit 1; }
  timeout 30 "$work/$way/firmware"
done
