#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian packages (libsockkit0, libsockkit-dev, sockkit) with CPack,
# installs them with dpkg into a scratch root, and builds and runs the consumer
# against that root (CMake package and pkg-config), and the installed tool.
#   scripts/package.sh          # the .deb files end up in build/package/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake --preset package >/dev/null
cmake --build --preset package | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
rm -f build/package/*.deb
(cd build/package && cpack -G DEB >/dev/null)
debs=(build/package/*.deb)
[ ${#debs[@]} -eq 3 ] || { echo "package: expected 3 packages, got ${debs[*]}" >&2; exit 1; }
for deb in "${debs[@]}"; do
  echo "package: $(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
done

# A scratch root with its own dpkg database; the packages' dependencies
# (libc, libssl, ...) are the host's, so they are not checked there.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/var/lib/dpkg/info" "$scratch/var/lib/dpkg/updates"
touch "$scratch/var/lib/dpkg/status"
dpkg --root="$scratch" --force-depends --force-not-root --force-script-chrootless \
  --log=/dev/null -i "${debs[@]}" >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; exit 1; }
dpkg --root="$scratch" -l | awk '/^ii/ { print "package: installed " $2 " " $3 }'
for package in libsockkit0 libsockkit-dev sockkit; do  # the licence travels with each package
  grep -q '^License: MIT$' "$scratch/usr/share/doc/$package/copyright" ||
    { echo "package: $package has no MIT copyright file" >&2; exit 1; }
done
echo "package: each package carries its copyright file (MIT)"

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
export LD_LIBRARY_PATH="$scratch/usr/lib/$multiarch"
"$scratch/usr/bin/sockkit" --help >/dev/null
[ -s "$scratch/usr/share/bash-completion/completions/sockkit" ] ||
  { echo "package: sockkit has no bash completion script" >&2; exit 1; }
bash -n "$scratch/usr/share/bash-completion/completions/sockkit"
echo "package: the installed sockkit runs"
scripts/consumer.sh --prefix "$scratch/usr"
