#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails on a relative link or a repository path in the docs that does not
# exist: every Markdown link [text](target) that is not a URL or an anchor, and
# every `path` in backticks that starts with one of the repository's folders.
# Build output (build/...) and placeholders (NAME, FILE, ...) are not checked.
# A code block followed by "This file is [`path`]" must be that file, verbatim.
#   scripts/check-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
prose() {  # the document without its fenced code blocks
  awk '/^[[:space:]]*```/ { code = !code; next } !code' "$1"
}
for doc in README.md docs/*.md; do
  dir=$(dirname "$doc")
  # Markdown links, relative to the document.
  while IFS= read -r target; do
    target=${target%%#*}
    [ -z "$target" ] && continue
    if [ ! -e "$dir/$target" ]; then
      echo "$doc: link to missing $target"; status=1
    fi
  done < <(prose "$doc" | grep -o '\](\([^)]*\))' | sed 's/^](\(.*\))$/\1/' | grep -v -E '^(https?:|mailto:|#)' || true)
  # Repository paths in backticks, relative to the root.
  while IFS= read -r path; do
    path=${path%%:*}            # file:line
    path=${path%%[[:space:]]*}  # `path args`
    [[ $path == *[A-Z]*[A-Z]* && $path != *.* ]] && continue  # placeholders
    [[ $path == *'*'* || $path == *'{'* || $path == *'<'* ]] && continue  # patterns
    if [ ! -e "$path" ]; then
      echo "$doc: path $path does not exist"; status=1
    fi
  done < <(prose "$doc" | grep -o '`\(src\|include\|tests\|docs\|bench\|scripts\|examples\|tools\|fuzz\)/[^`]*`' |
           tr -d '`' || true)
  # Code blocks that claim to be a file of the repository.
  while IFS= read -r claim; do
    block=${claim%%:*} path=${claim#*:}
    if ! diff -q <(awk -v want="$block" '/^```/ { if (inside) { inside = 0; n++ } else inside = 1; next }
                      inside && n + 1 == want' "$doc") "$path" >/dev/null; then
      echo "$doc: code block $block differs from $path"; status=1
    fi
  done < <(awk '/^```/ { if (inside) { inside = 0; n++ } else inside = 1; next }
                !inside && match($0, /This file is \[`[^`]+`\]/) {
                  print n ":" substr($0, RSTART + 15, RLENGTH - 17) }' "$doc")
done
[ "$status" = 0 ] && echo "docs: every relative link and repository path exists"
exit "$status"
