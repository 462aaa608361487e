#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# systemd-analyze verify of tdxd.service, without installing anything system-wide: the unit
# is configured as `cmake --install` would, except that ExecStart= points at the tdxd just
# built (verify insists that it exists and is executable), and the man pages named in
# Documentation= are looked up in this source tree (MANPATH). Any message fails the test:
# verify reports unknown or misspelt settings as warnings but still exits 0.
#   unit-verify.sh UNIT_IN TDXD MAN_SRC_DIR
set -euo pipefail
unit_in=$1 tdxd=$(realpath -m "$2") man_src=$(realpath -m "$3")

[ -x "$tdxd" ] || { echo "FAIL: $tdxd is not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed "s|@sbindir@|$(dirname "$tdxd")|g" "$unit_in" >"$tmp/tdxd.service"
if grep -n '@[A-Za-z_]*@' "$tmp/tdxd.service"; then
	echo "FAIL: placeholders left that neither the install step nor this test fills" >&2
	exit 1
fi

man_opt=--man=yes
if command -v man >/dev/null; then
	mkdir -p "$tmp/man/man5" "$tmp/man/man8"
	for p in "$man_src"/*.[58]; do
		ln -s "$p" "$tmp/man/man${p##*.}/"
	done
	export MANPATH=$tmp/man
else
	# Without man-db verify cannot look the pages up; mandoc lints them (lint-man-*).
	echo "note: no man command, Documentation= not checked here" >&2
	man_opt=--man=no
fi

out=$(systemd-analyze verify "$man_opt" "$tmp/tdxd.service" 2>&1) && rc=0 || rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	printf '%s\n' "$out" >&2
	echo "FAIL: systemd-analyze verify tdxd.service (exit $rc)" >&2
	exit 1
fi
echo "ok: systemd-analyze verify tdxd.service: no findings"
