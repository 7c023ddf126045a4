#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite: format, licence and docs checks and the API reference (Doxygen,
# warnings are errors); then build + test under the release, AddressSanitizer/UBSan,
# ThreadSanitizer and -fno-exceptions -fno-rtti builds, sockkit on lwIP
# (SOCKKIT_STACK=lwip: foundation, loop, limit, TAP and probe tests, lwIP smoke
# tests; TLS on mbedTLS's embedded profile), every libFuzzer target for 20 s under
# ASan + UBSan (the fuzz preset); cross builds for aarch64, 32-bit ARM (armhf) and
# big-endian s390x whose core, loop, resolver and MQTT suites run under qemu-user;
# then the installed-package consumer and the
# Debian packages (built with CPack, installed into a scratch root, consumed), and
# the porting check (tests/porting: a firmware's own lwIP, attached).
# Usage: scripts/test.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh git clang libclang-rt-14-dev g++-aarch64-linux-gnu g++-arm-linux-gnueabihf g++-s390x-linux-gnu qemu-user
presets=("$@")
[ ${#presets[@]} -eq 0 ] && presets=(release asan tsan noexcept lwip aarch64 armhf s390x fuzz)
start=$SECONDS

echo "== clang-format"
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror
echo "== licence: LICENSE is MIT and every source file carries an SPDX line"
scripts/check-licence.sh
echo "== docs: relative links and repository paths"
scripts/check-docs.sh
echo "== API reference: Doxygen, every public declaration documented (warnings are errors)"
mkdir -p build/api && doxygen docs/api/Doxyfile

for preset in "${presets[@]}"; do
  if [ "$preset" = fuzz ]; then
    echo "== fuzz: configure + build, then 20 s per target"
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
    [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
    fuzz/run.sh 20
    continue
  fi
  echo "== $preset: configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
  echo "== $preset: test"
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
  echo "== installed package consumer"
  scripts/consumer.sh build/release
  echo "== Debian packages: built with CPack, installed into a scratch root, consumed"
  scripts/package.sh
fi
if [[ " ${presets[*]} " == *" lwip "* ]]; then
  echo "== porting: a firmware's own lwIP tree, lwipopts.h and port, lwIP started by the firmware"
  scripts/porting-check.sh
fi
echo "== all green in $((SECONDS - start)) s"
