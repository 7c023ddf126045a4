#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian packages (libsockkitN, its TLS engine plugins
# libsockkitN-openssl and libsockkitN-mbedtls, libsockkit-dev, sockkit, and
# -dbgsym packages with the binaries' debug information) with CPack, checks
# them with lintian (no error, no warning), installs them with dpkg into a
# scratch root, checks that the library exports the public API only, keeps the
# last release's ABI (scripts/abi-check.sh) and needs no TLS library or
# liburing, builds and runs the consumer against that root (CMake package and
# pkg-config, TLS on each engine) and against each split (the library alone,
# with one engine each), and runs the installed tool, with and without an engine.
#   scripts/package.sh          # the .deb files end up in build/package/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake --preset package >/dev/null
cmake --build --preset package | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
rm -f build/package/*.deb build/package/*.ddeb
# CPack warns that the TLS plugins have no SONAME: they are modules, not
# libraries to link against; any other warning is shown.
(cd build/package && cpack -G DEB >cpack.log 2>&1) || { cat build/package/cpack.log >&2; exit 1; }
if [ "$(grep -c 'CMake Warning' build/package/cpack.log)" != \
     "$(grep -c 'sockkit/[0-9.]*/tls-[a-z]*.so. is$' build/package/cpack.log)" ]; then
  cat build/package/cpack.log >&2
fi
debs=(build/package/*.deb)
[ ${#debs[@]} -eq 5 ] || { echo "package: expected 5 packages, got ${debs[*]}" >&2; exit 1; }
dbgsyms=(build/package/*-dbgsym_*.ddeb)
[ ${#dbgsyms[@]} -eq 4 ] || { echo "package: expected 4 -dbgsym packages, got ${dbgsyms[*]}" >&2; exit 1; }

# CPack's packages finished as Debian's own tools finish them: a shared
# library package gets dpkg's ldconfig trigger instead of CPack's ldconfig
# calls in postinst and postrm (policy 8.1.1); a -dbgsym package gets the
# md5sums of its own files (CPack lists its build paths) and shares its
# package's documentation folder through a symlink, as dh_strip makes them.
finish_package() {
  local deb=$1 tree package
  tree=$(mktemp -d)
  dpkg-deb -R "$deb" "$tree"
  package=$(dpkg-deb -f "$deb" Package)
  if grep -qs ldconfig "$tree/DEBIAN/postinst"; then
    rm -f "$tree/DEBIAN/postinst" "$tree/DEBIAN/postrm"
    echo "activate-noawait ldconfig" >"$tree/DEBIAN/triggers"
  fi
  if [[ $package == *-dbgsym ]]; then
    mkdir -p "$tree/usr/share/doc"
    ln -s "${package%-dbgsym}" "$tree/usr/share/doc/$package"
    (cd "$tree" && find usr -type f | LC_ALL=C sort | xargs md5sum) >"$tree/DEBIAN/md5sums"
  fi
  dpkg-deb --root-owner-group --build "$tree" "$deb" >/dev/null
  rm -rf "$tree"
}
for deb in "${debs[@]}" "${dbgsyms[@]}"; do
  finish_package "$deb"
done
for deb in "${debs[@]}" "${dbgsyms[@]}"; do
  echo "package: $(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
done

# Debian's own checker: no error and no warning in any package.
"$root/scripts/deps.sh" lintian
if ! lintian --fail-on error,warning --tag-display-limit 0 "${debs[@]}" "${dbgsyms[@]}" \
  >build/package/lintian.log 2>&1; then
  grep -v 'running with root privileges is not recommended' build/package/lintian.log >&2
  echo "package: lintian found problems" >&2
  exit 1
fi
echo "package: lintian clean"

# Scratch roots with their own dpkg database; the packages' dependencies
# (libc, libssl, ...) are the host's, so they are not checked there.
scratches=()
trap 'rm -rf "${scratches[@]}"' EXIT
install_root() {  # install_root PACKAGE_FILE... : prints the new root
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/var/lib/dpkg/info" "$dir/var/lib/dpkg/updates"
  touch "$dir/var/lib/dpkg/status"
  dpkg --root="$dir" --force-depends --force-not-root --force-script-chrootless \
    --log=/dev/null -i "$@" >"$dir/dpkg.log" 2>&1 || { cat "$dir/dpkg.log" >&2; exit 1; }
  echo "$dir"
}
package_file() { ls build/package/$1_*.deb; }  # $1 is a pattern
scratch=$(install_root "${debs[@]}")
scratches+=("$scratch")
dpkg --root="$scratch" -l | awk '/^ii/ { print "package: installed " $2 " " $3 }'
for deb in "${debs[@]}"; do  # the licence travels with each package
  package=$(dpkg-deb -f "$deb" Package)
  grep -q '^License: MIT$' "$scratch/usr/share/doc/$package/copyright" ||
    { echo "package: $package has no MIT copyright file" >&2; exit 1; }
done
echo "package: each package carries its copyright file (MIT)"
# The headers are the Linux build's: nothing that only an lwIP build declares.
[ -f "$scratch/usr/include/sockkit/sockkit.hpp" ] || { echo "package: no headers installed" >&2; exit 1; }
[ ! -e "$scratch/usr/include/sockkit/lwip_tap.hpp" ] ||
  { echo "package: lwip_tap.hpp (lwIP builds only) is in the -dev package" >&2; exit 1; }

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
export LD_LIBRARY_PATH="$scratch/usr/lib/$multiarch"
"$scratch/usr/bin/sockkit" --help >/dev/null
[ -s "$scratch/usr/share/bash-completion/completions/sockkit" ] ||
  { echo "package: sockkit has no bash completion script" >&2; exit 1; }
[ -s "$scratch/usr/share/man/man1/sockkit.1.gz" ] || { echo "package: no manual page" >&2; exit 1; }
if file "$scratch/usr/bin/sockkit" "$scratch/usr/lib/$multiarch"/libsockkit.so.* | grep -q 'not stripped'; then
  echo "package: unstripped binaries" >&2; exit 1
fi
bash -n "$scratch/usr/share/bash-completion/completions/sockkit"
echo "package: the installed sockkit runs"

# The shared library exports the public API only: nothing of an internal namespace.
library=$(echo "$scratch/usr/lib/$multiarch"/libsockkit.so.*.*.*)
internal=$(nm -DC --defined-only "$library" |
  grep -E ' sockkit::(net|sys|poll|loop|transport|link|resolve_detail|socket_io|dns|ip_text|time|detail|mqtt::detail|mqtt::codec)::' || true)
if [ -n "$internal" ]; then
  echo "$internal" >&2
  echo "package: the library exports internal symbols" >&2; exit 1
fi
echo "package: $(nm -DC --defined-only "$library" | grep -c ' sockkit::') exported symbols, none internal"
"$root/scripts/abi-check.sh" "$library"

# The library alone loads no TLS library and no liburing: each TLS engine is a
# plugin in its own package, liburing is linked in.
needed=$(readelf -d "$library" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case " $needed" in
  *" libssl"* | *" libcrypto"* | *" libmbed"* | *" liburing"*)
    echo "package: libsockkit needs $needed" >&2; exit 1 ;;
esac
echo "package: libsockkit needs only $needed"
for backend in openssl mbedtls; do
  plugin=$(echo "$scratch/usr/lib/$multiarch"/sockkit/*/tls-$backend.so)
  [ -f "$plugin" ] || { echo "package: no $backend plugin installed" >&2; exit 1; }
done

# The consumer, built against the whole install (CMake package and
# pkg-config), runs TLS on each engine; then it is built against each split —
# the library alone, with OpenSSL's engine only, with mbedTLS's only — and
# finds exactly the engines installed there.
scripts/consumer.sh --prefix "$scratch/usr" --tls openssl,mbedtls
tls_dir=$(mktemp -d)
scratches+=("$tls_dir")
"$root/scripts/self-signed.sh" "$tls_dir"
library_package=$(package_file "libsockkit[0-9]*" | grep -v -- '-openssl_\|-mbedtls_')
for split in none openssl mbedtls; do
  files=("$library_package" "$(package_file libsockkit-dev)")
  [ "$split" = none ] || files+=("$(package_file "libsockkit*-$split")")
  split_root=$(install_root "${files[@]}")
  scratches+=("$split_root")
  echo "package: consumer against $(basename -a "${files[@]}" | tr '\n' ' ')alone"
  c++ -std=c++20 "$root/tests/consumer/main.cpp" \
    $(PKG_CONFIG_PATH="$split_root/usr/lib/$multiarch/pkgconfig" pkg-config --cflags --libs sockkit) \
    -o "$split_root/consumer"
  LD_LIBRARY_PATH="$split_root/usr/lib/$multiarch" "$split_root/consumer" \
    "$tls_dir/cert.pem" "$tls_dir/key.pem" "$split"
done
# The tool without an engine says so and exits as on any usage error.
cli_root=$(install_root "$library_package" "$(package_file sockkit)")
scratches+=("$cli_root")
status=0
said=$(LD_LIBRARY_PATH="$cli_root/usr/lib/$multiarch" "$cli_root/usr/bin/sockkit" connect \
  --tls-backend openssl --tls 127.0.0.1:9 2>&1) || status=$?
if [ "$status" != 2 ] || [[ $said != *"plugin is not installed"* ]]; then
  echo "package: sockkit without a TLS engine: exit $status, '$said'" >&2; exit 1
fi
echo "package: sockkit without a TLS engine: $said"
LD_LIBRARY_PATH="$cli_root/usr/lib/$multiarch" "$cli_root/usr/bin/sockkit" --version | grep -q '^tls: none' ||
  { echo "package: sockkit --version lists a TLS engine that is not installed" >&2; exit 1; }
"$scratch/usr/bin/sockkit" --version | grep -q '^tls: openssl, mbedtls' ||
  { echo "package: sockkit --version misses an installed TLS engine" >&2; exit 1; }
