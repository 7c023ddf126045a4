#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The IoT gateway example as firmware on the emulated board: sensor readings
# sent from Linux over UDP (QEMU forwards a loopback port to the board's port
# 5683) are summarised once a second and published to mosquitto on this
# machine (the board reaches the host's loopback as 10.0.2.2, and connects
# nowhere else).
# Checks that every reading arrived and that the summaries carry the right
# averages for each node.
#   ports/mps2-an386/gateway-check.sh FIRMWARE_IMAGE
set -euo pipefail
image=$1
here=$(cd "$(dirname "$0")" && pwd)
check=gateway-check
source "$here/checks.sh"

port=$((20000 + RANDOM % 20000))
udp=$((port + 1))
start_broker "$port"
mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'gateways/+/summary' >"$work/summaries" &
started+=($!)
sleep 0.3
QEMU_NETWORK="user,model=lan9118,hostfwd=udp:127.0.0.1:$udp-10.0.2.15:5683" \
  "$here/run-qemu.sh" "$image" --udp 0.0.0.0:5683 --seconds 8 "10.0.2.2:$port" \
  >"$work/console.log" 2>&1 &
qemu_pid=$!
started+=("$qemu_pid")
wait_for "broker connected" 20
echo "gateway-check: the board's gateway listens for sensors on 127.0.0.1:$udp (forwarded)"

# Three nodes, 20 readings each, 50 ms apart: node-1 always 20, node-2
# alternating 30 and 40, node-3 always 7.5.
sent=0
for i in $(seq 20); do
  printf 'node-1 20' >"/dev/udp/127.0.0.1/$udp"
  printf 'node-2 %d' $((30 + 10 * (i % 2))) >"/dev/udp/127.0.0.1/$udp"
  printf 'node-3 7.5' >"/dev/udp/127.0.0.1/$udp"
  sent=$((sent + 3))
  sleep 0.05
done
wait "$qemu_pid" && status=0 || status=$?
qemu_pid=
[ "$status" -eq 0 ] || fail "the gateway ended with status $status"
sleep 0.5
summary=$(grep "^received" "$work/console.log") || fail "no final line"
echo "gateway-check: the gateway says: $summary"
received=$(echo "$summary" | sed 's/^received \([0-9]*\) readings.*/\1/')
[ "$received" -eq "$sent" ] || fail "$received of $sent readings arrived"
[ -s "$work/summaries" ] || fail "no summary reached the subscriber"
# Per node: the readings counted in all summaries, and the average each gave.
for node in node-1 node-2 node-3; do
  count=$(grep -o "$node=[0-9.]*([0-9]*)" "$work/summaries" | sed 's/.*(\([0-9]*\))/\1/' |
    awk '{n += $1} END {print n + 0}')
  [ "$count" -eq 20 ] || fail "$node: $count readings in the summaries, 20 sent"
done
grep -o "node-1=[0-9.]*" "$work/summaries" | grep -qv "node-1=20.0$" && fail "node-1's average is not 20.0"
grep -o "node-3=[0-9.]*" "$work/summaries" | grep -qv "node-3=7.5$" && fail "node-3's average is not 7.5"
echo "gateway-check: $sent readings in, $(wc -l <"$work/summaries") summaries out, every node's count and average right"
echo "gateway-check: all passed"
