#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mandoc -T lint of one man page: any warning or error fails. Style remarks (mandoc's
# lowest level) are shown but do not fail: their set changes between mandoc versions.
#   man-lint.sh PAGE
set -euo pipefail
page=$1

command -v mandoc >/dev/null || { echo "FAIL: mandoc is missing (tools/install-deps.sh)" >&2; exit 1; }
out=$(mandoc -T lint -W warning "$page" 2>&1) || true
if [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	echo "FAIL: mandoc -T lint $page" >&2
	exit 1
fi
style=$(mandoc -T lint -W style "$page" 2>&1 || true)
[ -z "$style" ] || printf '%s\n' "$style" | sed 's/^/note: /' >&2

# Two mistakes mandoc lets pass but a reader sees, both in headings that render broken:
# - a quoted macro argument left open (a '"' meant literally in .BI x=" V "): mandoc calls it
#   style, but the quote vanishes from the output;
# - a .TP tag (the one line after .TP) whose brackets or parentheses do not close on that
#   line: the rest of the synopsis falls into the paragraph ("check [--root" / "DIR] ...").
failed=0
if grep -q 'unterminated quoted argument' <<<"$style"; then
	grep 'unterminated quoted argument' <<<"$style" >&2
	echo "FAIL: $page: a quoted argument is not closed (write a literal quote as \\(dq)" >&2
	failed=1
fi
bad_tags=$(awk '
	tag { t = $0
	      gsub(/\\f(\(..|\[[^]]*\]|.)/, "", t)   # font escapes
	      gsub(/\\\(dq|\\\[dq\]/, "", t)        # literal quotes
	      o = gsub(/\[/, "[", t); c = gsub(/\]/, "]", t)
	      po = gsub(/\(/, "(", t); pc = gsub(/\)/, ")", t)
	      if (o != c || po != pc) printf "%d: %s\n", NR, $0
	      tag = 0 }
	/^\.TP/ { tag = 1 }' "$page")
if [ -n "$bad_tags" ]; then
	printf '%s\n' "$bad_tags" >&2
	echo "FAIL: $page: a .TP tag does not close its brackets on its one line (it renders broken)" >&2
	failed=1
fi
[ "$failed" -eq 0 ] || exit 1
echo "ok: mandoc -T lint $page"
