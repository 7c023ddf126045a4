#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails unless LICENSE is the MIT licence and every source, script and build
# file in the repository names it in an SPDX line within its first five lines.
#   scripts/check-licence.sh
set -euo pipefail
cd "$(dirname "$0")/.."
head -n 1 LICENSE | grep -qx 'MIT License' || { echo "LICENSE: not the MIT licence" >&2; exit 1; }
missing=0
while IFS= read -r f; do
  if ! head -n 5 "$f" | grep -q 'SPDX-License-Identifier: MIT'; then
    echo "no SPDX-License-Identifier: MIT line in $f"
    missing=$((missing + 1))
  fi
done < <(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' '*.sh' '*.cmake' '*.in' '*.awk' \
                      'CMakeLists.txt' '*/CMakeLists.txt' .ci/run docs/api/Doxyfile)
[ "$missing" -eq 0 ] || { echo "licence: $missing file(s) without an SPDX line" >&2; exit 1; }
echo "licence: MIT, $(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' '*.sh' | wc -l) source files and scripts checked"
