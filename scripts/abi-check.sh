#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares a built libsockkit.so with the ABI of the last release, kept in
# abi/ as libabigail's XML (made from the release tag's package build by
# `scripts/abi-check.sh --baseline LIBRARY`). Additions are fine; a change
# that breaks programs built against the release fails unless the SONAME
# changed with it.
#   scripts/abi-check.sh build/package/src/libsockkit.so.0.1.0
#   scripts/abi-check.sh --baseline build/package/src/libsockkit.so.0.1.0   # at a release tag
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" abigail-tools >/dev/null
headers=$root/include/sockkit
if [ "${1:-}" = --baseline ]; then
  tag=$(git -C "$root" describe --tags --exact-match)
  mkdir -p "$root/abi"
  abidw --headers-dir "$headers" --out-file "$root/abi/libsockkit-$tag.abi" "$2"
  echo "abi: baseline abi/libsockkit-$tag.abi written"
  exit 0
fi
library=$1
baseline=$(ls "$root"/abi/libsockkit-v*.abi | sort -V | tail -n 1)
status=0
report=$(abidiff --headers-dir2 "$headers" "$baseline" "$library") || status=$?
# abidiff's exit status is a bit set: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ $((status & 3)) -ne 0 ]; then
  echo "$report" >&2; echo "abi: abidiff failed ($status)" >&2; exit 1
fi
if [ $((status & 8)) -ne 0 ]; then
  old=$(grep -o 'soname=.[^"]*' "$baseline" | head -n 1 | cut -c9-)
  new=$(objdump -p "$library" | awk '/SONAME/ {print $2}')
  if [ "$old" = "$new" ]; then
    echo "$report" >&2
    echo "abi: incompatible with $(basename "$baseline" .abi) under the same SONAME $new" >&2
    exit 1
  fi
  echo "abi: incompatible with $(basename "$baseline" .abi), SONAME $old -> $new"
elif [ $((status & 4)) -ne 0 ]; then
  echo "abi: compatible with $(basename "$baseline" .abi) (additions only)"
else
  echo "abi: identical to $(basename "$baseline" .abi)"
fi
