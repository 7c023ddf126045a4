# SPDX-License-Identifier: MIT
# Shared by the checks that drive firmware on the emulated board from Linux
# (device-check.sh, meter-check.sh, meter-tap-check.sh, gateway-check.sh and
# bench/board-memory.sh): a scratch folder, the processes they start (stopped
# by PID on exit), failing with the board's console, a mosquitto of their own
# on a loopback port, waiting for the console to say something, booting an
# echo firmware with its port 7 forwarded and echoing through it, and the
# meter's readings counted.
# Sourced, not run; `check` names the caller.
work=$(mktemp -d)
started=()
cleanup() {
  local pid
  # Runs under `set -e`: a process that has already ended must not stop the rest.
  for pid in "${started[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true  # a broker stopped on purpose must hear the TERM
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "$check: FAILED: $*"
  echo "--- board console:"
  tail -n 20 "$work/console.log" 2>/dev/null
  exit 1
}

# wait_for PATTERN SECONDS [COUNT]: until the console shows PATTERN COUNT times.
wait_for() {
  local want=${3:-1}
  for _ in $(seq $(($2 * 10))); do
    [ "$(grep -c -- "$1" "$work/console.log" || true)" -ge "$want" ] && return 0
    sleep 0.1
  done
  fail "no '$1' on the console within $2 s"
}

# meter_delivered_each_reading_once COUNT: the meter firmware (qemu_pid) ends
# well, and readings 1..COUNT each reached the subscriber ($work/readings) once.
meter_delivered_each_reading_once() {
  local status=0 n got
  wait "$qemu_pid" || status=$?
  qemu_pid=
  [ "$status" -eq 0 ] || fail "the meter ended with status $status"
  sleep 1
  grep "acknowledged" "$work/console.log" | sed "s/^/$check: the meter says: /"
  for n in $(seq "$1"); do
    got=$(grep -c "^reading $n kWh$" "$work/readings" || true)
    [ "$got" -eq 1 ] || fail "reading $n arrived $got times"
  done
  echo "$check: readings 1..$1 each arrived exactly once"
}

# start_broker PORT: mosquitto on 127.0.0.1:PORT, anonymous, nothing kept;
# sets broker_pid. Exits 77 (skipped) where mosquitto is not installed.
start_broker() {
  command -v mosquitto >/dev/null || { echo "$check: SKIPPED: mosquitto is not installed"; exit 77; }
  printf 'listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n' "$1" >"$work/broker.conf"
  mosquitto -c "$work/broker.conf" >"$work/broker.log" 2>&1 &
  broker_pid=$!
  started+=("$broker_pid")
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "mosquitto did not listen on 127.0.0.1:$1"
}

# boot_with_port_7 IMAGE PATTERN: boots IMAGE with a free loopback port
# forwarded to the board's port 7 (QEMU refuses to start when its forward
# cannot bind, so up to five ports are tried), until its console shows
# PATTERN; sets port and qemu_pid, or fails.
boot_with_port_7() {
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    QEMU_NETWORK="user,model=lan9118,restrict=on,hostfwd=tcp:127.0.0.1:$port-10.0.2.15:7" \
      "$(dirname "${BASH_SOURCE[0]}")/run-qemu.sh" "$1" >"$work/console.log" 2>&1 &
    qemu_pid=$!
    started+=("$qemu_pid")
    for _ in $(seq 100); do
      grep -q -- "$2" "$work/console.log" && return 0
      kill -0 "$qemu_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$qemu_pid" 2>/dev/null || true  # silent past 10 s: the next port
    wait "$qemu_pid" 2>/dev/null || true
  done
  qemu_pid=
  fail "the board did not start its echo server"
}

# echo_line FD TEXT: sends TEXT on FD and expects it back within 5 s.
echo_line() {
  printf '%s' "$2" >&"$1"
  local got
  got=$(timeout 5 head -c "${#2}" <&"$1") || true
  [ "$got" = "$2" ] || fail "connection $1 echoed '$got' for '$2'"
}

# echo_mebibyte: a mebibyte of random bytes through the board's port 7
# (boot_with_port_7) and back, compared byte for byte.
echo_mebibyte() {
  local writer
  head -c 1048576 /dev/urandom >"$work/sent"
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  cat "$work/sent" >&3 &
  writer=$!
  timeout 60 head -c 1048576 <&3 >"$work/received" || fail "the mebibyte did not come back within 60 s"
  wait "$writer"
  exec 3>&-
  cmp -s "$work/sent" "$work/received" || fail "the mebibyte came back changed"
}
