#!/usr/bin/env bash
# Checks that every suite named in the Makefile's LIVE_TESTS exists, so a renamed suite cannot slip back
# into the parallel pass unnoticed. Usage: check-live-tests.sh '<LIVE_TESTS regex>' (after `swift build --build-tests`).
set -euo pipefail
pattern="$1"
names=$(sed -E 's/^\\\.\(//; s/\)\/$//' <<<"$pattern" | tr '|' '\n')
listed=$(${SWIFT:-swift} test list --skip-build 2>/dev/null)
missing=0
for name in $names; do
    if ! grep -q "\.$name/" <<<"$listed"; then
        echo "LIVE_TESTS names $name, but no test suite of that name exists (Makefile)" >&2
        missing=1
    fi
done
exit $missing
