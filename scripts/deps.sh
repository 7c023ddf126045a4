#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what the build needs from Debian's archive, only if it is missing.
# Usage: scripts/deps.sh [extra-package...]
set -euo pipefail
packages=(cmake ninja-build g++ pkgconf googletest libcli11-dev ccache clang-format iproute2 liburing-dev libbenchmark-dev dpkg-dev nftables libssl-dev libmbedtls-dev openssl ca-certificates dnsmasq-base mosquitto mosquitto-clients doxygen file lld "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
[ "$(id -u)" -eq 0 ] && sudo="" || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/sockkit-apt.log 2>&1; then
  $sudo apt-get update >>/tmp/sockkit-apt.log 2>&1   # fresh machines may have no package lists
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/sockkit-apt.log 2>&1 ||
    { tail -n 20 /tmp/sockkit-apt.log; echo "deps: apt-get failed" >&2; exit 1; }
fi
