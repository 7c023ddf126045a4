#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite: format, licence and docs checks and the API reference (Doxygen,
# warnings are errors); then build + test under the release (library and tests
# -fno-exceptions -fno-rtti), AddressSanitizer/UBSan and ThreadSanitizer (both
# with exceptions; TSan without the tool's suites) builds, sockkit on lwIP
# (SOCKKIT_STACK=lwip: foundation, loop, limit, TAP and probe tests, lwIP smoke
# tests; TLS on mbedTLS's embedded profile), sockkit on lwIP's raw API hosted on
# Linux (SOCKKIT_STACK=lwip-raw, the bare-metal stack: the same suites, the loop
# driving lwIP), every libFuzzer target for 15 s under
# ASan + UBSan (the fuzz preset); cross builds for 32-bit ARM (armhf) and
# big-endian s390x whose core, loop, resolver and MQTT suites run under qemu-user
# (aarch64 too when named, `scripts/test.sh aarch64`: 64-bit little-endian like
# the host, it adds the least, and the full run must fit CI's time);
# then the installed-package consumer and the
# Debian packages (built with CPack, installed into a scratch root, consumed), and
# the porting check (tests/porting: a firmware's own lwIP, attached); and the
# bare-metal Cortex-M4 build (mps2-an386: arm-none-eabi-gcc and newlib) whose
# unit suites boot and run on QEMU's emulated MPS2 AN386 board.
# Usage: scripts/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(release asan tsan lwip lwip-raw armhf s390x mps2-an386 fuzz)
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
scripts/deps.sh git clang libclang-rt-14-dev qemu-user "${cross[@]}"
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
stage "API reference: Doxygen, every public declaration documented (warnings are errors)"
mkdir -p build/api && doxygen docs/api/Doxyfile

for preset in "${presets[@]}"; do
  if [ "$preset" = fuzz ]; then
    stage "fuzz: configure + build, then 15 s per target"
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
    fuzz/run.sh 15
    continue
  fi
  stage "$preset: configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
  stage "$preset: test"
  # The whole log stays in the build directory; a failing test's own output is
  # printed here, so a CI log says why it failed.
  log="build/$preset/ctest.log"
  if ! ctest --preset "$preset" --output-on-failure --output-junit junit.xml >"$log" 2>&1; then
    scripts/failed-test-output.sh "$log"
    exit 1
  fi
  tail -n 4 "$log"
done

if [[ " ${presets[*]} " == *" release "* ]]; then
  stage "installed package consumer"
  scripts/consumer.sh build/release
  stage "Debian packages: built with CPack, installed into a scratch root, consumed"
  scripts/package.sh
fi
if [[ " ${presets[*]} " == *" lwip "* ]]; then
  stage "porting: a firmware's own lwIP tree, lwipopts.h and port, lwIP started by the firmware"
  scripts/porting-check.sh
fi
echo "== all green in $((SECONDS - start)) s"
