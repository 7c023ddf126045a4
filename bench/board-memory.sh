#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What sockkit's firmware uses while it runs, measured on the emulated board
# (QEMU's MPS2 AN386, Cortex-M4; cmake --preset mps2-an386: newlib-nano,
# lwIP's raw API in the constrained profile), through QEMU's user-mode
# network (nothing leaves the machine):
#   - flash and static RAM of each image (arm-none-eabi-size);
#   - the echo server: heap in use idle, with one connection and with as many
#     as lwIP allows (the difference per extra connection), and the heap's and
#     the stack's high-water marks after 1 MiB has been echoed (the start-up
#     code paints the stack; newlib's heap grows through sbrk only);
#   - the smart meter (MQTT QoS 1, persistent session, against mosquitto on
#     this machine): time from boot to its first message acknowledged by the
#     broker (best of RUNS boots), and its heap's and stack's high-water marks
#     after 10 readings.
#   bench/board-memory.sh [RUNS]      (default 3)
set -euo pipefail
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/deps.sh" gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib \
  qemu-system-arm mosquitto >&2
cmake --preset mps2-an386 >/dev/null
cmake --build --preset mps2-an386 --target echo_server smart_meter >/dev/null
dir=$root/build/mps2-an386/ports/mps2-an386
port_dir=$root/ports/mps2-an386
check=board-memory
source "$port_dir/checks.sh"

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
# flash = code + constants + initial data; static RAM = data + bss.
sizes() { arm-none-eabi-size -A "$1" | awk '
  $1 ~ /^\.(text|rodata|ARM)/ { text += $2 } $1 ~ /^\.data/ { data += $2 } $1 ~ /^\.bss/ { bss += $2 }
  END { printf "%d %d\n", text + data, data + bss }'; }

# --- The echo server -------------------------------------------------------
boot_with_port_7 "$dir/echo_server" "^heap"

# heap_report FIELD: after the firmware's next report, its FIELD (1: heap in
# use, 2: the heap's high-water mark, 3: the stack's).
heap_report() {
  local reports
  reports=$(grep -c "^heap" "$work/console.log")
  wait_for "^heap" 5 $((reports + 1))
  grep "^heap" "$work/console.log" | tail -n 1 | tr -dc '0-9 \n' | awk -v f="$1" '{ print $f }'
}
idle_heap=$(heap_report 1)
limit=$(sed -n 's/^at most \([0-9]*\) connections.*/\1/p' "$work/console.log")
open=()
exec {fd}<>"/dev/tcp/127.0.0.1/$port"
open+=("$fd")
echo_line "$fd" "one connection"
one_heap=$(heap_report 1)
for ((i = 1; i < limit; i++)); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$port"
  open+=("$fd")
  echo_line "$fd" "connection $i"
done
all_heap=$(heap_report 1)
per_connection=$(((all_heap - one_heap) / (limit - 1)))
for fd in "${open[@]}"; do exec {fd}>&-; done

echo_mebibyte
echo_heap_high=$(heap_report 2)
echo_stack_high=$(heap_report 3)
kill "$qemu_pid" && wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
# lwIP's TCP PCBs are a static pool: each connection's share is in static RAM.
pcb_pool=$(arm-none-eabi-nm -S -t d "$dir/echo_server" | awk '$4 == "memp_memory_TCP_PCB_base" { print $2 + 0 }')

# --- The smart meter -------------------------------------------------------
broker_port=$((20000 + RANDOM % 20000))
start_broker "$broker_port"
best_first=
for run in $(seq "$runs"); do
  : >"$work/console.log"
  QEMU_NETWORK="user,id=board,model=lan9118" \
    timeout 60 "$port_dir/run-qemu.sh" "$dir/smart_meter" --fast --count 10 --id "meter-$run" \
    "10.0.2.2:$broker_port" >"$work/console.log" 2>&1 || fail "the meter firmware failed (run $run)"
  first=$(sed -n 's/^first message acknowledged \([0-9]*\) ms.*/\1/p' "$work/console.log")
  report=$(grep "^board: up" "$work/console.log") || fail "the meter printed no board report"
  meter_heap_high=$(echo "$report" | sed 's/.*heap high-water \([0-9]*\) B.*/\1/')
  meter_stack_high=$(echo "$report" | sed 's/.*stack high-water \([0-9]*\) B.*/\1/')
  [ -n "$first" ] || fail "the meter acknowledged nothing (run $run)"
  if [ -z "$best_first" ] || [ "$first" -lt "$best_first" ]; then best_first=$first; fi
done

read -r echo_flash echo_ram < <(sizes "$dir/echo_server")
read -r meter_flash meter_ram < <(sizes "$dir/smart_meter")
echo "| image | flash | static RAM | heap high-water | stack high-water |"
echo "|---|---:|---:|---:|---:|"
echo "| echo_server (after 1 MiB and $limit connections) | $(kb "$echo_flash") | $(kb "$echo_ram") | $(kb "$echo_heap_high") | $(kb "$echo_stack_high") |"
echo "| smart_meter (10 readings, QoS 1) | $(kb "$meter_flash") | $(kb "$meter_ram") | $(kb "$meter_heap_high") | $(kb "$meter_stack_high") |"
echo
echo "echo_server heap in use: idle $idle_heap B, one connection $one_heap B, $limit connections $all_heap B:"
echo "  the first connection $((one_heap - idle_heap)) B (connection slots come in 4 KB blocks), each further one $per_connection B;"
echo "  $(((all_heap - idle_heap) / limit)) B of heap per connection over $limit, plus $((pcb_pool / limit)) B each of lwIP's static TCP PCB pool"
echo "smart_meter: first message acknowledged ${best_first} ms after boot (best of $runs boots)"
