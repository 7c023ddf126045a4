#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tests the echo server firmware on the emulated board from Linux, through
# QEMU's user-mode network, restricted (traffic stays on this machine: QEMU
# forwards a loopback port to the board's port 7, and nothing else passes).
# Bash's /dev/tcp is the Linux peer.
#   1. a mebibyte of random bytes echoed and compared;
#   2. as many connections as lwIP's PCBs allow (the firmware says how many),
#      each echoing, then one more, refused at once (QEMU's forward closes
#      it), while the others still echo;
#   3. a peer that sends 16 MiB and never reads: its writes stall, the heap the
#      firmware reports stays bounded, and a new connection is still served.
#   ports/mps2-an386/device-check.sh FIRMWARE_IMAGE [--bulk-only]
# --bulk-only: the mebibyte alone (the raw-API baseline firmware, which neither
# reports its heap nor answers past lwIP's limit).
set -euo pipefail
image=$1
bulk_only=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
check=device-check
source "$here/checks.sh"

boot_with_port_7 "$image" listening
echo "device-check: board up, its port 7 at 127.0.0.1:$port"

# 1. A mebibyte through the device and back.
echo_mebibyte
echo "device-check: 1 MiB echoed, byte for byte"
if [ "$bulk_only" = --bulk-only ]; then
  echo "device-check: all passed"
  exit 0
fi

# 2. As many connections as lwIP's PCBs allow, then one more, reset at once.
limit=$(sed -n 's/^at most \([0-9]*\) connections.*/\1/p' "$work/console.log")
[ -n "$limit" ] || fail "the firmware did not say how many connections it serves"
open=()
for ((i = 0; i < limit; i++)); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  open+=("$fd")
  echo_line "$fd" "connection $i"
done
exec {extra_fd}<>"/dev/tcp/127.0.0.1/$port"
printf 'one too many' >&"$extra_fd" || true
extra=$(timeout 5 head -c 1 <&"$extra_fd" 2>/dev/null) && status=0 || status=$?
[ "$status" -ne 124 ] || fail "connection $((limit + 1)) was neither served nor refused within 5 s"
[ -z "$extra" ] || fail "connection $((limit + 1)) was served past lwIP's limit"
exec {extra_fd}>&-
for fd in "${open[@]}"; do echo_line "$fd" "still $fd"; done
for fd in "${open[@]}"; do exec {fd}>&-; done
echo "device-check: $limit connections served (lwIP's limit), one more refused at once, the $limit unharmed"

# 3. A peer that never reads.
sleep 1.5  # the closed connections leave the server's count
heap_before=$(grep -o '^heap [0-9]*' "$work/console.log" | tail -n 1 | cut -d' ' -f2)
exec 9<>"/dev/tcp/127.0.0.1/$port"
head -c 16777216 /dev/zero >&9 &
flood_pid=$!
started+=("$flood_pid")
sleep 4
kill -0 "$flood_pid" 2>/dev/null || fail "16 MiB went in although the peer never read"
exec 3<>"/dev/tcp/127.0.0.1/$port"
echo_line 3 "served beside the flood"
exec 3>&-
heap_peak=$(grep -o '^heap [0-9]*' "$work/console.log" | cut -d' ' -f2 | sort -n | tail -n 1)
echo "device-check: a peer that never reads stalls; heap in use ${heap_before} B before, at most ${heap_peak} B"
[ "$heap_peak" -le $((heap_before + 65536)) ] || fail "the heap grew by more than 64 KiB under the flood"
kill "$flood_pid" 2>/dev/null
wait "$flood_pid" 2>/dev/null || true
exec 9>&-
echo "device-check: all passed"
