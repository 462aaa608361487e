#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Puts the introspection XML that `tdxd --bus-introspect` prints into man/org.tdxd.Tdx1.5,
# between the two marker comments, so the page shows exactly what the daemon serves.
#   tools/update-man-api.sh [TDXD [PAGE]]     rewrite PAGE (default: man/org.tdxd.Tdx1.5)
#   tools/update-man-api.sh --check TDXD PAGE  exit 1 (and show the diff) if PAGE is stale
# TDXD defaults to build/daemon/tdxd. The IDL-like block and the prose are written by hand;
# tests/lint/check-man-api.py checks that they name every member with its signature.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
tdxd=${1:-$top/build/daemon/tdxd}
page=${2:-$top/man/org.tdxd.Tdx1.5}
begin='.\" BEGIN INTROSPECTION'
end='.\" END INTROSPECTION'

xml=$(mktemp)
new=$(mktemp)
trap 'rm -f "$xml" "$new"' EXIT
"$tdxd" --bus-introspect >"$xml"

grep -qxF "$begin" "$page" && grep -qxF "$end" "$page" || {
	echo "update-man-api: $page lacks the marker lines '$begin' / '$end'" >&2
	exit 1
}

# troff escapes for literal text: a backslash is \e, and a line must not start with a
# control character (. or ') -- \& in front neutralises it. check-man-api.py undoes both.
# Through the environment, not -v: awk -v would turn the \" of the markers into ".
BEGIN_MARK=$begin END_MARK=$end XML=$xml awk '
	BEGIN { begin = ENVIRON["BEGIN_MARK"]; end = ENVIRON["END_MARK"]; xml = ENVIRON["XML"] }
	$0 == begin {
		print
		while ((getline line < xml) > 0) {
			gsub(/\\/, "\\e", line)
			if (line ~ /^[.'\'']/)
				line = "\\&" line
			print line
		}
		skip = 1
		next
	}
	$0 == end { skip = 0 }
	!skip { print }
' "$page" >"$new"

if [ "$check" = 1 ]; then
	if ! diff -u "$page" "$new"; then
		echo "update-man-api: $page is stale; run tools/update-man-api.sh $tdxd $page" >&2
		exit 1
	fi
	exit 0
fi
if cmp -s "$page" "$new"; then
	echo "update-man-api: $page is up to date"
else
	cat "$new" >"$page"
	echo "update-man-api: updated $page"
fi
