#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The journal catalog compiles (journalctl --update-catalog into a scratch root), has an
# entry with Subject, Defined-By: tdxd and Support for each of the project's fixed
# MESSAGE_IDs, and for every MESSAGE_ID the sources define (#define ..._MESSAGE_ID "...").
#   catalog.sh CATALOG SOURCE_DIR
set -euo pipefail
catalog=$1 src=$2

fixed="6a1c3f0e9d2b4b7a8e51c0d4f2a7b913 3b8e5d71c9f04a2e9a16d0b7c45e2f08
c2f4a9180b7e4d6c93a5e1f07b2d8c64 9d07e3b15a6c4f28b1e4c8a2d0f39e57
5e61b2c8d4a94f0b8c27e9d1a3f6b045"
used=$(grep -rhoE '_MESSAGE_ID[[:space:]]+"[0-9a-f]{32}"' "$src/daemon" "$src/bus" "$src/policy" \
	2>/dev/null | grep -oE '[0-9a-f]{32}' || true)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd"
cp "$catalog" "$root/usr/lib/systemd/catalog/"
out=$(journalctl --root="$root" --update-catalog 2>&1) || {
	printf '%s\n' "$out" >&2
	echo "FAIL: journalctl --update-catalog" >&2
	exit 1
}
[ -z "$out" ] || { printf '%s\n' "$out" >&2; echo "FAIL: journalctl complained" >&2; exit 1; }
listed=$(journalctl --root="$root" --list-catalog)

failed=0
for id in $fixed $used; do
	if ! grep -q "^$id tdxd: " <<<"$listed"; then
		echo "FAIL: no catalog entry for $id" >&2
		failed=1
		continue
	fi
	entry=$(journalctl --root="$root" --dump-catalog "$id")
	for field in 'Subject: ' 'Defined-By: tdxd' 'Support: '; do
		grep -q "^$field" <<<"$entry" || {
			echo "FAIL: $id has no '$field' line" >&2
			failed=1
		}
	done
	# The body explains: at least a few lines of text besides the header fields.
	body=$(printf '%s\n' "$entry" | sed '1,/^$/d' | grep -c . || true)
	[ "$body" -ge 3 ] || { echo "FAIL: $id has a body of $body lines" >&2; failed=1; }
done
[ "$failed" -eq 0 ] || exit 1
echo "ok: catalog: $(printf '%s\n' "$listed" | wc -l) entries, every MESSAGE_ID covered"
