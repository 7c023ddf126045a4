#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Code size of sockkit's MQTT layer on a Cortex-M4 (arm-none-eabi-gcc from
# Debian): each file of src/mqtt/ compiled -Os -mthumb -fno-exceptions -fno-rtti
# with one section per function, as an embedded build would. Object sizes, so
# an upper bound: a linked image drops what the program does not call.
#   bench/mqtt-footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total=0
printf '%-12s %8s\n' file "text (B)"
for f in codec_read codec_write outbox reason session session_publish client; do
  arm-none-eabi-g++ -std=c++20 -Os -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -fno-exceptions \
    -fno-rtti -ffunction-sections -fdata-sections -Wno-psabi -Iinclude -Isrc \
    -c "src/mqtt/$f.cpp" -o "$out/$f.o"
  text=$(arm-none-eabi-size "$out/$f.o" | awk 'NR == 2 { print $1 }')
  total=$((total + text))
  printf '%-12s %8d\n' "$f.cpp" "$text"
done
printf '%-12s %8d\n' total "$total"
