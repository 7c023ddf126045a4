#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Watch the smart meter survive a dead network path. Two private network
# namespaces joined by a veth pair (nothing on the host is touched; all of it
# disappears when the script ends): mosquitto on host B, the meter on host A.
# After 3 s the path turns into a silent blackhole (no RST, no ICMP — the
# forgetful NAT), for 6 s; then it heals. Watch MQTT's keepalive notice, the
# backoff retry, the reconnect, and the waiting readings go out. Root only.
#   examples/survive-a-fault.sh [build dir]
set -euo pipefail
build=$(cd "${1:-build/release}" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
exec unshare --net --pid --fork --kill-child --mount-proc bash -s "$build" <<'INNER'
set -euo pipefail
build=$1
ip link set dev lo up
unshare --net sleep 1000 &              # host B: a namespace held by a process
b=$!
sleep 0.2
ip link add dev sk0 type veth peer name sk1 netns "$b"
ip link set dev sk0 up && ip addr add 10.77.0.1/24 dev sk0
nsenter -t "$b" -n sh -c 'ip link set dev lo up && ip link set dev sk1 up && ip addr add 10.77.0.2/24 dev sk1'
conf=$(mktemp)
printf 'user root\nlistener 1883 10.77.0.2\nallow_anonymous true\n' >"$conf"
nsenter -t "$b" -n mosquitto -c "$conf" >/dev/null 2>&1 &
sleep 0.5
"$build/examples/smart_meter" --fast --id meter-1 10.77.0.2:1883 &
meter=$!
sleep 3
echo "-- path cut: a silent blackhole both ways --"
ip neigh replace 10.77.0.2 lladdr 02:00:00:00:00:99 nud permanent dev sk0
nsenter -t "$b" -n ip neigh replace 10.77.0.1 lladdr 02:00:00:00:00:98 nud permanent dev sk1
sleep 6
echo "-- path healed --"
ip neigh del 10.77.0.2 dev sk0
nsenter -t "$b" -n ip neigh del 10.77.0.1 dev sk1
sleep 4
kill -INT "$meter" 2>/dev/null || true
wait "$meter" 2>/dev/null || true
INNER
