#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite: format, licence and docs checks and the API reference (Doxygen,
# warnings are errors); then build + test under the release (library and tests
# -fno-exceptions -fno-rtti), AddressSanitizer/UBSan and ThreadSanitizer (both
# with exceptions; TSan without the tool's suites) builds, sockkit on lwIP
# (SOCKKIT_STACK=lwip: foundation, loop, limit, TAP and probe tests, lwIP smoke
# tests; TLS on mbedTLS's embedded profile), sockkit on lwIP's raw API hosted on
# Linux (SOCKKIT_STACK=lwip-raw, the bare-metal stack: the same suites, the loop
# driving lwIP), the device profile on lwIP's sockets hosted on Linux
# (lwip-device: its lwIP suites, without the cross-thread wake), every
# libFuzzer target for 15 s under
# ASan + UBSan (the fuzz preset); cross builds for 32-bit ARM (armhf) and
# big-endian s390x whose core, loop, resolver and MQTT suites run under qemu-user
# (aarch64 too when named, `scripts/test.sh aarch64`: 64-bit little-endian like
# the host, it adds the least, and the full run must fit CI's time);
# then the installed-package consumer and the
# Debian packages (built with CPack, installed into a scratch root, consumed), and
# the porting check (tests/porting: a firmware's own lwIP, attached); and the
# bare-metal Cortex-M4 build (mps2-an386: arm-none-eabi-gcc and newlib-nano) whose
# unit suites boot and run on QEMU's emulated MPS2 AN386 board.
# Usage: scripts/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(release asan tsan lwip lwip-raw lwip-device armhf s390x mps2-an386 fuzz)
cross=()
for preset in "${presets[@]}"; do
  case $preset in
    aarch64) cross+=(g++-aarch64-linux-gnu) ;;
    armhf) cross+=(g++-arm-linux-gnueabihf) ;;
    s390x) cross+=(g++-s390x-linux-gnu) ;;
    mps2-an386) cross+=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
                        qemu-system-arm) ;;
  esac
done
# The web peers: python3-websockets' server, websockify in front of mosquitto, tinyproxy.
scripts/deps.sh git clang libclang-rt-14-dev qemu-user websockify python3-websockets tinyproxy \
  "${cross[@]}"
start=$SECONDS
stage() { echo "== $* (at $((SECONDS - start)) s)"; }

stage "clang-format"
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror
stage "licence: LICENSE is MIT and every source file carries an SPDX line"
scripts/check-licence.sh
stage "layers: no include against the layer order, no internals in public headers"
scripts/check-layers.sh
stage "docs: relative links and repository paths"
scripts/check-docs.sh
stage "API reference: Doxygen, every public declaration, parameter and return documented (warnings are errors)"
mkdir -p build/api && doxygen docs/api/Doxyfile

# Each preset builds while the one before it is tested: the suites spend most
# of their time waiting on sockets and timers (about a quarter of two cores),
# so the next build, at a lower priority, takes the idle time instead of
# waiting its turn. The packages' build joins when the release preset is run.
# lwIP's hosted suites run alone: with a build beside them, lwIP's sockets
# stack once left a hostile peer's connection open past its check's 5 s.
quiet_tests=" lwip lwip-raw lwip-device "
builds=("${presets[@]}")
[[ " ${presets[*]} " == *" release "* ]] && builds+=(package)
build_pid=
start_build() {
  local preset=$1
  { cmake --preset "$preset" >/dev/null && nice -n 10 cmake --build --preset "$preset"; } \
    >"build/$preset.build.log" 2>&1 &
  build_pid=$!
}
# A stage that fails ends the run: the build in the background ends with it.
trap '[ -z "$build_pid" ] || pkill -P "$build_pid" 2>/dev/null || true' EXIT
finish_build() {
  local preset=$1 rc=0
  wait "$build_pid" || rc=$?
  # The compiler's own words (warnings are errors), not ninja's progress lines.
  grep -vE '^\[[0-9]+/[0-9]+\] ' "build/$preset.build.log" || true
  [ $rc -eq 0 ] || { echo "$preset: the build failed (build/$preset.build.log)"; exit 1; }
}
run_tests() {
  local preset=$1 log="build/$1/ctest.log"
  stage "$preset: test"
  # The whole log stays in the build directory; a failing test's own output is
  # printed here, so a CI log says why it failed.
  if ! ctest --preset "$preset" --output-on-failure --output-junit junit.xml >"$log" 2>&1; then
    scripts/failed-test-output.sh "$log"
    exit 1
  fi
  tail -n 4 "$log"
}
# Starts the build after the one of preset number $i.
next_build_now() {
  if ((i + 1 < ${#builds[@]})); then
    stage "${builds[$((i + 1))]}: configure + build${1:-}"
    start_build "${builds[$((i + 1))]}"
  fi
}
mkdir -p build
stage "${builds[0]}: configure + build"
start_build "${builds[0]}"
for ((i = 0; i < ${#presets[@]}; i++)); do
  preset=${presets[$i]}
  finish_build "$preset"
  if [[ $quiet_tests == *" $preset "* ]]; then
    run_tests "$preset"
    next_build_now
    continue
  fi
  next_build_now ", alongside the stage below"
  if [ "$preset" = fuzz ]; then
    stage "fuzz: 15 s per target"
    fuzz/run.sh 15
    continue
  fi
  run_tests "$preset"
done
if ((${#builds[@]} > ${#presets[@]})); then
  finish_build package
fi

if [[ " ${presets[*]} " == *" release "* ]]; then
  stage "installed package consumer"
  scripts/consumer.sh build/release --tls openssl,mbedtls
  stage "Debian packages: built with CPack, installed into a scratch root, consumed"
  scripts/package.sh
fi
if [[ " ${presets[*]} " == *" lwip "* ]]; then
  stage "porting: a firmware's own lwIP tree, lwipopts.h and port, lwIP started by the firmware"
  scripts/porting-check.sh
fi
echo "== all green in $((SECONDS - start)) s"
