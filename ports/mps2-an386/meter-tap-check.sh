#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The smart meter example as firmware on the emulated board, on a TAP device
# in a network namespace of its own (root), with mosquitto and dnsmasq in that
# namespace: the meter finds the broker by name through lwIP's own DNS client
# (the board build's resolver engine) asking dnsmasq, then the path between
# them goes silent — every packet dropped by nftables, the link still up —
# while the meter publishes.
#   0. the name is answered by dnsmasq to the board (its log shows the query);
#   1. the meter's heartbeat notices within 1.5 x its 2 s keepalive (the
#      check allows 4 s), though nothing tells it the path is gone;
#   2. once packets pass again it reconnects to its persistent session;
#   3. every reading 1..30 reaches a subscriber exactly once (QoS 2).
# Skips (exit 77) without root, /dev/net/tun, mosquitto or dnsmasq.
#   ports/mps2-an386/meter-tap-check.sh FIRMWARE_IMAGE
set -euo pipefail
image=$1
here=$(cd "$(dirname "$0")" && pwd)
check=meter-tap-check
source "$here/checks.sh"

skip() { echo "$check: SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace and a TAP device)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun here (a container or chroot without it)"
command -v mosquitto >/dev/null || skip "mosquitto is not installed"
command -v nft >/dev/null || skip "nftables is not installed"
dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$dnsmasq" ] || skip "dnsmasq is not installed"

# The board is 10.0.2.15 (board_network.h); its side of the link here is 10.0.2.2.
netns=skboard$$
ip netns add "$netns" || skip "cannot create a network namespace"
# A command in the namespace; started with `&`, its PID is the program's own
# (ip netns exec execs it), so cleanup stops it by PID.
in_netns=(ip netns exec "$netns")
remove_netns() {
  cleanup
  ip netns del "$netns" 2>/dev/null || true
}
trap remove_netns EXIT
ip -n "$netns" link set lo up
ip -n "$netns" tuntap add dev sktap0 mode tap
ip -n "$netns" addr add 10.0.2.2/24 dev sktap0
ip -n "$netns" link set sktap0 up

port=1883
printf 'listener %d 10.0.2.2\nallow_anonymous true\npersistence false\n' "$port" >"$work/broker.conf"
"${in_netns[@]}" mosquitto -c "$work/broker.conf" >"$work/broker.log" 2>&1 &
started+=($!)
for _ in $(seq 50); do
  "${in_netns[@]}" bash -c "exec 3<>/dev/tcp/10.0.2.2/$port" 2>/dev/null && break
  sleep 0.1
done
"${in_netns[@]}" "$dnsmasq" --keep-in-foreground --no-resolv --no-hosts --conf-file=/dev/null \
  --listen-address=10.0.2.2 --bind-interfaces --port=53 --user=root --pid-file= \
  --address=/broker.meter.test/10.0.2.2 --log-queries --log-facility="$work/dns.log" &
started+=($!)
"${in_netns[@]}" mosquitto_sub -h 10.0.2.2 -p "$port" -q 2 -t 'meters/+/reading' >"$work/readings" &
started+=($!)
sleep 0.3

QEMU_NETWORK="tap,ifname=sktap0,script=no,downscript=no,model=lan9118" \
  "${in_netns[@]}" "$here/run-qemu.sh" "$image" --fast --qos 2 --count 30 --dns 10.0.2.2 \
  "broker.meter.test:$port" \
  >"$work/console.log" 2>&1 &
qemu_pid=$!
started+=("$qemu_pid")
wait_for "connected (session new)" 20
grep -q "query\[A\] broker.meter.test from 10.0.2.15" "$work/dns.log" ||
  fail "dnsmasq was not asked for broker.meter.test by the board: $(cat "$work/dns.log")"
echo "meter-tap-check: the board resolved broker.meter.test through dnsmasq and is connected to mosquitto at 10.0.2.2:$port over TAP"

# 1. The path goes silent: both ways dropped, the link up.
sleep 1
"${in_netns[@]}" nft -f - <<'EOF'
table inet silent_path {
  chain input { type filter hook input priority 0; iifname "sktap0" drop; }
  chain output { type filter hook output priority 0; oifname "sktap0" drop; }
}
EOF
start=$(date +%s%N)
wait_for "^disconnected" 10
noticed_ms=$((($(date +%s%N) - start) / 1000000))
echo "meter-tap-check: packets dropped; the meter noticed after ${noticed_ms} ms ($(grep "^disconnected" "$work/console.log" | tail -n 1))"
[ "$noticed_ms" -le 4000 ] || fail "the heartbeat took ${noticed_ms} ms, past 1.5 x the 2 s keepalive"

# 2. The path heals.
sleep 1
"${in_netns[@]}" nft delete table inet silent_path
wait_for "connected (session resumed)" 30
echo "meter-tap-check: packets pass again; the meter is back on its session"

# 3. Every reading once.
meter_delivered_each_reading_once 30
echo "meter-tap-check: all passed"
