#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The unit's `systemd-analyze security` exposure must not rise above the value recorded in
# systemd/README.md (passed in by tests/lint/CMakeLists.txt). Lowering it is welcome: then
# lower the recorded value too, so that it stays a ratchet.
#   unit-security.sh UNIT_IN MAX_EXPOSURE     e.g. MAX_EXPOSURE 2.3
set -euo pipefail
unit_in=$1 max=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The score depends on the settings only; any ExecStart= path will do.
sed 's|@sbindir@|/usr/sbin|g' "$unit_in" >"$tmp/tdxd.service"

# --threshold counts in tenths (2.3 -> 23) and fails when the exposure is above it.
threshold=$(awk -v m="$max" 'BEGIN { printf "%d", m * 10 + 0.5 }')
out=$(systemd-analyze security --offline=true --threshold="$threshold" \
	"$tmp/tdxd.service" 2>&1) && rc=0 || rc=$?
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for tdxd.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
	printf '%s\n' "$out" >&2
	echo "FAIL: no exposure score in the output" >&2
	exit 1
fi
if [ "$rc" -ne 0 ]; then
	printf '%s\n' "$out" | grep -v '^✓\|^  ✓' >&2
	echo "FAIL: exposure $score is above the recorded $max (systemd/README.md)" >&2
	exit 1
fi
echo "ok: exposure $score (recorded: $max)"
if [ "$score" != "$max" ]; then
	echo "note: the exposure fell to $score: record it in systemd/README.md and" \
		"tests/lint/CMakeLists.txt" >&2
fi
