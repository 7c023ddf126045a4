#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the release build into a scratch prefix and builds a tiny out-of-tree
# consumer against it twice: through find_package(sockkit) and through pkg-config.
#   scripts/consumer.sh [BUILD_DIR]      # default build/release
#   scripts/consumer.sh --prefix DIR     # an installed sockkit (e.g. from the .deb)
# Either may end with --tls EXPECTED: each consumer then also runs TLS on the
# engines in EXPECTED (openssl,mbedtls), with a certificate made here, and
# checks that the others are missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ "${1:-}" = --prefix ]; then
  prefix=$2
  shift 2
else
  prefix=$scratch/prefix
  build=$root/build/release
  if [ -n "${1:-}" ] && [ "$1" != --tls ]; then build=$1; shift; fi
  cmake --install "$build" --prefix "$prefix" >/dev/null
fi
tls_args=()
if [ "${1:-}" = --tls ]; then
  "$root/scripts/self-signed.sh" "$scratch"
  tls_args=("$scratch/cert.pem" "$scratch/key.pem" "$2")
fi

echo "consumer: CMake find_package(sockkit)"
cmake -S "$root/tests/consumer" -B "$scratch/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/cmake-build" >/dev/null
"$scratch/cmake-build/consumer" "${tls_args[@]}"

echo "consumer: pkg-config sockkit"
libdir=$(dirname "$(find "$prefix" -name sockkit.pc | head -n1)")
export PKG_CONFIG_PATH=$libdir
# The .pc file finds its prefix from where it lies: no --define-variable, the
# way the tutorial tells a user to compile against an install in any folder.
flags=$(pkg-config --cflags --libs sockkit)
include=$(pkg-config --cflags-only-I sockkit | sed 's/^ *-I//; s/ *$//')
[ "$(realpath "$include")" = "$(realpath "$prefix/include")" ] ||
  { echo "consumer: sockkit.pc does not point into $prefix: $flags" >&2; exit 1; }
case " $flags " in
  *" -std="*) echo "consumer: sockkit.pc forces a language standard: $flags" >&2; exit 1 ;;
esac
std=$(pkg-config --variable=cxx_standard sockkit)
[ "$std" = 20 ] || { echo "consumer: sockkit.pc states no C++ standard" >&2; exit 1; }
# The user's standard is the user's: the stated one, and a newer one.
c++ -std=c++20 "$root/tests/consumer/main.cpp" $flags -o "$scratch/pc-consumer"
"$scratch/pc-consumer" "${tls_args[@]}"
c++ -std=c++2b "$root/tests/consumer/main.cpp" $flags -o "$scratch/pc-consumer-newer"
"$scratch/pc-consumer-newer" "${tls_args[@]}"
