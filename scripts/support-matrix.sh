#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints the support matrix (docs/support.md) from test results: each cell is what the
# JUnit files of the Linux (release) and lwIP presets say — "yes (n)" when n
# tests passed, "skipped" when they were skipped (with the reason in the
# test's output), "FAIL" if any failed, "—" when no test covers it.
# scripts/test.sh writes the JUnit files; or: ctest --preset P --output-junit junit.xml
# The bare-metal stack (lwip-raw, hosted) gets a column where its results exist.
#   scripts/support-matrix.sh [linux.xml] [lwip.xml] [lwip-raw.xml]
set -euo pipefail
cd "$(dirname "$0")/.."
linux=${1:-build/release/junit.xml}
lwip=${2:-build/lwip/junit.xml}
raw=${3:-build/lwip-raw/junit.xml}
for f in "$linux" "$lwip"; do [ -f "$f" ] || { echo "missing $f (run scripts/test.sh first)" >&2; exit 1; }; done

# name<TAB>status (pass, fail, skip) for every test in a JUnit file.
results() {
  awk 'match($0, /<testcase name="[^"]*"/) {
         name = substr($0, RSTART + 16, RLENGTH - 17)
         status = ($0 ~ /status="notrun"/) ? "skip" : ($0 ~ /status="fail"/) ? "fail" : "pass"
         print name "\t" status
       }' "$1"
}

# cell RESULTS REGEX [BACKEND]
cell() {
  printf '%s\n' "$1" | awk -F'\t' -v re="$2" -v be="${3:-}" '
    $1 ~ re && (be == "" || $1 ~ ("/" be "( |$)")) { n[$2]++ }
    END {
      if (n["fail"]) print "FAIL"
      else if (n["pass"]) print "yes (" n["pass"] ")"
      else if (n["skip"]) print "skipped"
      else print "—"
    }'
}

L=$(results "$linux")
W=$(results "$lwip")
R=
[ -f "$raw" ] && R=$(results "$raw")
if [ -n "$R" ]; then
  echo "| sockets (no loop) | Linux | lwIP | lwIP raw |"
  echo "|---|---|---|---|"
else
  echo "| sockets (no loop) | Linux | lwIP |"
  echo "|---|---|---|"
fi
grep '^sockets|' tests/support-matrix.txt | while IFS='|' read -r _ feature re; do
  row="| $feature | $(cell "$L" "$re") | $(cell "$W" "$re")"
  [ -n "$R" ] && row="$row | $(cell "$R" "$re")"
  echo "$row |"
done
echo
if [ -n "$R" ]; then
  echo "| event loop | Linux select | poll | epoll | epoll-et | io_uring | lwIP select | lwIP poll | lwIP raw select | lwIP raw poll |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
else
  echo "| event loop | Linux select | poll | epoll | epoll-et | io_uring | lwIP select | lwIP poll |"
  echo "|---|---|---|---|---|---|---|---|"
fi
grep '^loop|' tests/support-matrix.txt | while IFS='|' read -r _ feature re; do
  row="| $feature"
  for b in select poll epoll epoll_et uring; do row="$row | $(cell "$L" "$re" "$b")"; done
  for b in select poll; do row="$row | $(cell "$W" "$re" "$b")"; done
  if [ -n "$R" ]; then
    for b in select poll; do row="$row | $(cell "$R" "$re" "$b")"; done
  fi
  echo "$row |"
done
echo
echo "| build | CPU, run by | tests passed | skipped (reason printed) | failed |"
echo "|---|---|---|---|---|"
for preset in release aarch64 armhf s390x mps2-an386; do
  f=build/$preset/junit.xml
  [ -f "$f" ] || continue
  case $preset in
    release) cpu="x86-64, native" ;; aarch64) cpu="aarch64, qemu-user" ;;
    armhf) cpu="32-bit ARM, qemu-user" ;; s390x) cpu="big-endian s390x, qemu-user" ;;
    mps2-an386) cpu="Cortex-M4, bare metal, qemu-system-arm" ;;
  esac
  B=$(results "$f")
  printf '| %s | %s | %s | %s | %s |\n' "$preset" "$cpu" "$(printf '%s\n' "$B" | grep -c $'\tpass$' || true)" \
    "$(printf '%s\n' "$B" | grep -c $'\tskip$' || true)" "$(printf '%s\n' "$B" | grep -c $'\tfail$' || true)"
done
