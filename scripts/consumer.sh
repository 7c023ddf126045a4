#!/usr/bin/env bash
# Installs the release build into a scratch prefix and builds a tiny out-of-tree
# consumer against it twice: through find_package(sockkit) and through pkg-config.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build" --prefix "$scratch/prefix" >/dev/null

echo "consumer: CMake find_package(sockkit)"
cmake -S "$root/tests/consumer" -B "$scratch/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
"$scratch/cmake-build/consumer"

echo "consumer: pkg-config sockkit"
libdir=$(ls -d "$scratch"/prefix/lib*/pkgconfig | head -n1)
export PKG_CONFIG_PATH=$libdir
# The .pc file names the prefix chosen at configure time; point it at the scratch one.
flags=$(pkg-config --define-variable=prefix="$scratch/prefix" --cflags --libs sockkit)
c++ "$root/tests/consumer/main.cpp" $flags -o "$scratch/pc-consumer"
"$scratch/pc-consumer"
