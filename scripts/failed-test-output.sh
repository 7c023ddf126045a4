#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prints what each failed test printed, from a `ctest --output-on-failure` log:
# the lines from a test's "***Failed" (or timeout, or exception) result line up
# to the next test's result line, then ctest's closing summary.
# Usage: scripts/failed-test-output.sh build/<preset>/ctest.log
set -euo pipefail
awk '
  /Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)/ { printing = 1; print; next }
  /Test +#[0-9]+: / || /^ *Start +[0-9]+: / { printing = 0 }
  /tests passed, [0-9]+ tests failed/ { printing = 0; summary = 1 }
  printing || summary { print }
' "$1"
