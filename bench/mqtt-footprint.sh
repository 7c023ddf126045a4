#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Code size of sockkit's MQTT layer on a Cortex-M4 (arm-none-eabi-gcc from
# Debian): each file of src/mqtt/ compiled -Os -mthumb -fno-exceptions -fno-rtti
# with one section per function, as an embedded build would. Object sizes, so
# an upper bound: a linked image drops what the program does not call.
#   bench/mqtt-footprint.sh
# (bench/footprint.sh links whole images, the meter's with each build too.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One column per build: MQTT 3.1.1 and 5 (the default), MQTT 3.1.1 only
# (SOCKKIT_MQTT5=OFF).
printf '%-20s %12s %12s\n' file "3.1.1 + 5" "3.1.1 only"
declare -A total=([1]=0 [0]=0)
for f in codec_read codec_write properties outbox reason session session_publish session_auth client; do
  row=$(printf '%-20s' "$f.cpp")
  for mqtt5 in 1 0; do
    arm-none-eabi-g++ -std=c++20 -Os -mthumb -mcpu=cortex-m4 -mfloat-abi=hard -fno-exceptions \
      -fno-rtti -ffunction-sections -fdata-sections -Wno-psabi -DSOCKKIT_MQTT5=$mqtt5 -DSOCKKIT_WEBSOCKET=1 \
      -Iinclude -Isrc -c "src/mqtt/$f.cpp" -o "$out/$f.$mqtt5.o"
    text=$(arm-none-eabi-size "$out/$f.$mqtt5.o" | awk 'NR == 2 { print $1 }')
    total[$mqtt5]=$((total[$mqtt5] + text))
    row+=$(printf ' %12d' "$text")
  done
  echo "$row"
done
printf '%-20s %12d %12d\n' total "${total[1]}" "${total[0]}"
