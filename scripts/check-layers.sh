#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when a layer includes a layer above it, or a public header names the
# library's internals. The order is the layer table of docs/design.md: each
# folder of src/ may include its own headers and those of the folders before it.
#   scripts/check-layers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
layers=(sys socket poll loop transport net resolve link mqtt)
bad=0
for ((i = 0; i < ${#layers[@]}; i++)); do
  layer=${layers[$i]}
  above=("${layers[@]:$((i + 1))}")
  [ ${#above[@]} -eq 0 ] && continue
  pattern="^#include \"($(IFS='|'; echo "${above[*]}"))/"
  while IFS= read -r hit; do
    echo "layering: $hit (src/$layer/ is below what it includes)"
    bad=$((bad + 1))
  done < <(git ls-files "src/$layer/" | xargs grep -HnE "$pattern" || true)
done
# Public headers: no internal namespace, no internal header. The one exception
# is the event loop's friend, the library's single way into the loop.
while IFS= read -r hit; do
  echo "public header names an internal: $hit"
  bad=$((bad + 1))
done < <(git ls-files include/ | xargs grep -HnE '(^|[^a-z_])(net|sys|poll|loop|transport|link|resolve_detail)::|#include "(sys|poll|loop|net|transport|resolve|link|mqtt)/' |
           grep -v 'friend struct loop::LoopAccess;' || true)
[ "$bad" -eq 0 ] || { echo "layers: $bad include(s) against the layer order" >&2; exit 1; }
echo "layers: ${layers[*]} — no file includes a layer above its own; public headers name no internals"
