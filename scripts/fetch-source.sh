#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches a Debian source package (lwip, mbedtls) into OUT and prints the
# unpacked directory: `apt-get source PACKAGE` with a deb-src entry derived from
# this machine's own apt sources (Types: deb -> deb-src) and private apt state,
# so the system's apt configuration is untouched and no host name is written
# anywhere. Debian's patches are applied by dpkg-source, then sockkit's own
# from PATCH_DIR, if given (lwIP's are documented in docs/lwip.md). Never committed.
# Usage: scripts/fetch-source.sh PACKAGE OUT [PATCH_DIR]
set -euo pipefail
package=$1
out=$2
patches=""
[ -n "${3:-}" ] && patches=$(cd "$3" && pwd)

# Once per patch: a copy of the applied patch is kept next to the tree, so a
# patch that changed since is first taken back out, then applied anew.
apply_own_patches() {
  local dir=$1 p applied
  [ -n "$patches" ] || { echo "$dir"; return; }
  for p in "$patches"/*.patch; do
    applied="$dir/.sockkit-$(basename "$p")"
    if [ -s "$applied" ]; then
      cmp -s "$p" "$applied" && continue
      patch --binary -s -p1 -R -d "$dir" <"$applied" >&2 ||
        { echo "fetch-source: the earlier $(basename "$p") does not come out" >&2; exit 1; }
    fi
    patch --binary -s -p1 -N -d "$dir" <"$p" >&2 || { echo "fetch-source: $p does not apply" >&2; exit 1; }
    cp "$p" "$applied"
  done
  echo "$dir"
}

if compgen -G "$out/$package-*/debian" >/dev/null; then
  tree=$(ls -d "$out"/"$package"-*/ | head -n1)
  # Empty stamps say a patch was applied but not which version: unpack afresh.
  if find "$tree" -maxdepth 1 -name '.sockkit-*.patch' -empty | grep -q .; then
    rm -rf "$tree"
    (cd "$out" && dpkg-source -x ./*.dsc >apt/unpack.log 2>&1) || { tail -n 20 "$out/apt/unpack.log" >&2; exit 1; }
    tree=$(ls -d "$out"/"$package"-*/ | head -n1)
  fi
  apply_own_patches "$tree"
  exit 0
fi
"$(dirname "$0")/deps.sh" dpkg-dev >&2
mkdir -p "$out"
out=$(cd "$out" && pwd)
mkdir -p "$out/apt/sources.list.d" "$out/apt/lists/partial" "$out/apt/cache/archives/partial"
found=0
for src in /etc/apt/sources.list.d/*.sources; do
  [ -f "$src" ] || continue
  sed 's/^Types:[[:space:]]*deb$/Types: deb-src/' "$src" >"$out/apt/sources.list.d/$(basename "$src")"
  found=1
done
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$out/apt/sources.list.d/derived.list"
  found=1
fi
[ "$found" = 1 ] || { echo "fetch-source: no apt sources to derive a deb-src entry from" >&2; exit 1; }
: >"$out/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$out/apt/sources.list" -o "Dir::Etc::SourceParts=$out/apt/sources.list.d"
          -o "Dir::State::Lists=$out/apt/lists" -o "Dir::Cache=$out/apt/cache"
          -o "Debug::NoLocking=1")
apt-get "${apt_opts[@]}" update >"$out/apt/update.log" 2>&1 ||
  { tail -n 20 "$out/apt/update.log" >&2; exit 1; }
(cd "$out" && apt-get "${apt_opts[@]}" source "$package" >"apt/source.log" 2>&1) ||
  { tail -n 20 "$out/apt/source.log" >&2; exit 1; }
apply_own_patches "$(ls -d "$out"/"$package"-*/ | head -n1)"
