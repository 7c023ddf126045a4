#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares a built libsockkit.so with the ABI of the last release, kept in
# abi/ as libabigail's XML, xz-compressed (made from the release tag's package
# build by `scripts/abi-check.sh --baseline LIBRARY`). Additions are fine; a change
# that breaks programs built against the release fails unless the SONAME
# changed with it.
#   scripts/abi-check.sh build/package/src/libsockkit.so.0.1.0
#   scripts/abi-check.sh --baseline v0.1.0 build/package/src/libsockkit.so.0.1.0   # built at the tag
# (The SONAME's version is SOCKKIT_SOVERSION in the top CMakeLists.txt.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" abigail-tools >/dev/null
headers=$root/include/sockkit
if [ "${1:-}" = --baseline ]; then
  tag=$2
  mkdir -p "$root/abi"
  abidw --headers-dir "$headers" --drop-private-types --no-corpus-path --short-locs "$3" |
    xz -9 >"$root/abi/libsockkit-$tag.abi.xz"
  echo "abi: baseline abi/libsockkit-$tag.abi.xz written"
  exit 0
fi
library=$1
packed=$(ls "$root"/abi/libsockkit-v*.abi.xz | sort -V | tail -n 1)
baseline=$(mktemp --suffix=.abi)
trap 'rm -f "$baseline"' EXIT
xz -dc "$packed" >"$baseline"
name=$(basename "$packed" .abi.xz)
status=0
report=$(abidiff --headers-dir2 "$headers" "$baseline" "$library") || status=$?
# abidiff's exit status is a bit set: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ $((status & 3)) -ne 0 ]; then
  echo "$report" >&2; echo "abi: abidiff failed ($status)" >&2; exit 1
fi
# A release's programs keep working when nothing was removed or changed:
# additions only. Anything else needs a new SONAME.
broken=$(echo "$report" | grep -E 'summary: [1-9][0-9]* Removed|, [1-9][0-9]* Changed' || true)
if [ -n "$broken" ] || [ $((status & 8)) -ne 0 ]; then
  old=$(grep -o "soname='[^']*'" "$baseline" | head -n 1 | cut -d"'" -f2)
  new=$(objdump -p "$library" | awk '/SONAME/ {print $2}')
  if [ "$old" = "$new" ]; then
    echo "$report" >&2
    echo "abi: incompatible with $name under the same SONAME $new" >&2
    exit 1
  fi
  echo "abi: incompatible with $name, SONAME $old -> $new"
elif [ $((status & 4)) -ne 0 ]; then
  echo "abi: compatible with $name (additions only)"
else
  echo "abi: identical to $name"
fi
