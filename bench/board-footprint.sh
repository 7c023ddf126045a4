#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What sockkit costs on bare metal, measured on the board port's firmware
# (cmake --preset mps2-an386: the device profile, Cortex-M4, arm-none-eabi-gcc -Os -mthumb,
# --gc-sections, newlib-nano, lwIP's raw API in the constrained profile):
# the whole image of sockkit's echo server (ports/mps2-an386/firmware/
# echo_server.cpp) minus the same echo server written directly on lwIP's raw
# API (firmware/raw_echo.c) on the same board, lwIP and C library. What sockkit
# pulls from the C and C++ runtime counts as sockkit's. The smart meter
# (MQTT, QoS 2, reconnecting, DNS) is listed beside them, and the largest
# symbols the echo server has and the baseline does not. Each image is also
# built with the default profile (SOCKKIT_PROFILE=default), side by side.
#   bench/board-footprint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
"$PWD/scripts/deps.sh" gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib >&2
cmake --preset mps2-an386 >/dev/null
cmake --build --preset mps2-an386 --target echo_server raw_echo smart_meter >/dev/null
dir=build/mps2-an386/ports/mps2-an386
# The same firmware with the default profile, for the side-by-side columns.
cmake --preset mps2-an386 -B build/mps2-an386-default -DSOCKKIT_PROFILE=default >/dev/null
cmake --build build/mps2-an386-default --target echo_server raw_echo smart_meter >/dev/null
default_dir=build/mps2-an386-default/ports/mps2-an386

# flash = text + data (initial values live in flash), RAM = data + bss (the
# heap and stack come on top: the linker script gives them what is left).
sizes() { arm-none-eabi-size -A "$1" | awk '
  $1 ~ /^\.(text|rodata|ARM)/ { text += $2 } $1 ~ /^\.data/ { data += $2 } $1 ~ /^\.bss/ { bss += $2 }
  END { printf "%d %d %d\n", text, data, bss }'; }
read -r base_text base_data base_bss < <(sizes "$dir/raw_echo")
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }

echo "| image | flash, device profile | RAM (data + bss) | flash minus the raw-API echo | flash, default profile | minus the raw-API echo |"
echo "|---|---:|---:|---:|---:|---:|"
read -r default_base_text default_base_data _ < <(sizes "$default_dir/raw_echo")
for image in raw_echo echo_server smart_meter; do
  read -r text data bss < <(sizes "$dir/$image")
  read -r default_text default_data _ < <(sizes "$default_dir/$image")
  flash=$((text + data)) ram=$((data + bss)) default_flash=$((default_text + default_data))
  extra=$(kb $((flash - base_text - base_data)))
  default_extra=$(kb $((default_flash - default_base_text - default_base_data)))
  [ "$image" = raw_echo ] && extra="(baseline)" default_extra="(baseline)"
  echo "| $image | $(kb "$flash") | $(kb "$ram") | $extra | $(kb "$default_flash") | $default_extra |"
done
echo
echo "Largest symbols in echo_server and not in raw_echo (bytes):"
comm -23 <(arm-none-eabi-nm -C -t d --size-sort -S "$dir/echo_server" | cut -d' ' -f2- | sort -u) \
         <(arm-none-eabi-nm -C -t d --size-sort -S "$dir/raw_echo" | cut -d' ' -f2- | sort -u) |
  awk '{ size = $1 + 0; $1 = ""; $2 = ""; sub(/^ +/, ""); printf "%6d %s\n", size, $0 }' |
  sort -rn | sed -n 1,15p
