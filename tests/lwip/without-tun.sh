#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The TAP suite where /dev/net/tun does not exist (a container or chroot as
# root, Docker's default): every test must skip with the reason, none may fail.
# The device node is hidden by a tmpfs over /dev/net in a private mount
# namespace, so the host is not touched. Needs root; exits 77 (skip) otherwise.
#   tests/lwip/without-tun.sh TEST_BINARY
set -euo pipefail
binary=$1
if [ "$(id -u)" != 0 ] || ! unshare --mount true 2>/dev/null; then
  echo "skipped: needs root for a private mount namespace"; exit 77
fi
out=$(unshare --mount --propagation private sh -c \
  'mount -t tmpfs tmpfs /dev/net && exec "$0" --gtest_filter="LwipTap.*"' "$binary" 2>&1) || true
echo "$out"
ran=$(grep -c '^\[ RUN      \]' <<<"$out" || true)
skipped=$(grep -cE '^\[  SKIPPED \] LwipTap\.[A-Za-z]+ \([0-9]+ ms\)' <<<"$out" || true)
if grep -q '^\[  FAILED  \]' <<<"$out" || [ "$ran" -eq 0 ] || [ "$skipped" -ne "$ran" ]; then
  echo "without /dev/net/tun: $ran ran, $skipped skipped; every one must skip"; exit 1
fi
echo "without /dev/net/tun: all $ran TAP tests skipped with a reason"
