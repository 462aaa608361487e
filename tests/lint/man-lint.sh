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
mandoc -T lint -W style "$page" 2>&1 | sed 's/^/note: /' >&2 || true
echo "ok: mandoc -T lint $page"
