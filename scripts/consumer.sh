#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the release build into a scratch prefix and builds a tiny out-of-tree
# consumer against it twice: through find_package(sockkit) and through pkg-config.
#   scripts/consumer.sh [BUILD_DIR]      # default build/release
#   scripts/consumer.sh --prefix DIR     # an installed sockkit (e.g. from the .deb)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ "${1:-}" = --prefix ]; then
  prefix=$2
else
  prefix=$scratch/prefix
  cmake --install "${1:-$root/build/release}" --prefix "$prefix" >/dev/null
fi

echo "consumer: CMake find_package(sockkit)"
cmake -S "$root/tests/consumer" -B "$scratch/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
"$scratch/cmake-build/consumer"

echo "consumer: pkg-config sockkit"
libdir=$(dirname "$(find "$prefix" -name sockkit.pc | head -n1)")
export PKG_CONFIG_PATH=$libdir
# The .pc file names the prefix chosen at configure time; point it at the scratch one.
flags=$(pkg-config --define-variable=prefix="$prefix" --cflags --libs sockkit)
c++ "$root/tests/consumer/main.cpp" $flags -o "$scratch/pc-consumer"
"$scratch/pc-consumer"
