#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The smart meter example as firmware on the emulated board, publishing to
# mosquitto on this machine through QEMU's user-mode network (the board reaches
# the host's loopback as 10.0.2.2, and connects nowhere else):
#   1. the board's link is cut for 4 s with QEMU's monitor (set_link off/on)
#      while it publishes: it notices, reconnects to its persistent session,
#      and the readings queued meanwhile arrive;
#   2. the broker goes silent (SIGSTOP): the meter's heartbeat notices within
#      1.5 x its 2 s keepalive (the check allows 4 s), and after SIGCONT it
#      carries on;
#   3. every reading 1..40 reaches a subscriber exactly once (QoS 2).
#   ports/mps2-an386/meter-check.sh FIRMWARE_IMAGE
set -euo pipefail
image=$1
here=$(cd "$(dirname "$0")" && pwd)
check=meter-check
source "$here/checks.sh"

port=$((20000 + RANDOM % 20000))
monitor=$((port + 1))
start_broker "$port"
mosquitto_sub -h 127.0.0.1 -p "$port" -q 2 -t 'meters/+/reading' >"$work/readings" &
started+=($!)
sleep 0.3
# The board reaches the host's loopback as 10.0.2.2 (QEMU's guestfwd would
# restrict it further, but forwards one connection only: no reconnects).
QEMU_NETWORK="user,id=board,model=lan9118" QEMU_MONITOR="tcp:127.0.0.1:$monitor,server,nowait" \
  "$here/run-qemu.sh" "$image" --fast --qos 2 --count 40 "10.0.2.2:$port" >"$work/console.log" 2>&1 &
qemu_pid=$!
started+=("$qemu_pid")
wait_for "connected (session new)" 20
echo "meter-check: the board's meter is connected to mosquitto at 10.0.2.2:$port (this machine's loopback)"

# 1. The link cut while readings flow.
sleep 1
exec 5<>"/dev/tcp/127.0.0.1/$monitor"
printf 'set_link board off\n' >&5
sleep 4
printf 'set_link board on\n' >&5
sleep 0.5  # the monitor reads the command before the connection closes
exec 5>&-
wait_for "connected (session resumed)" 20
echo "meter-check: link cut for 4 s and restored; the meter is back on its session"

# 2. A broker gone silent.
sleep 1
disconnects=$(grep -c "^disconnected" "$work/console.log" || true)
kill -STOP "$broker_pid"
start=$(date +%s%N)
wait_for "^disconnected" 10 $((disconnects + 1))
noticed_ms=$((($(date +%s%N) - start) / 1000000))
kill -CONT "$broker_pid"
echo "meter-check: the silent broker noticed after ${noticed_ms} ms ($(grep "^disconnected" "$work/console.log" | tail -n 1))"
[ "$noticed_ms" -le 4000 ] || fail "the heartbeat took ${noticed_ms} ms, past 1.5 x the 2 s keepalive"

# 3. Every reading once.
meter_delivered_each_reading_once 40
echo "meter-check: all passed"
