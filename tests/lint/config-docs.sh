#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "Every key, with its default": each key the config parser knows (daemon/config/config.c) is in
# the installed default file policy/tdxd.conf (commented, as #Key=default) and has an entry
# in tdxd.conf(5), and the default file names no other key. With tdxctl built, the file with
# every line uncommented must also parse without a single problem report.
#   config-docs.sh SOURCE_DIR [TDXCTL]
set -euo pipefail
src=$1 tdxctl=${2:-}
conf=$src/policy/tdxd.conf page=$src/man/tdxd.conf.5

keys=$(sed -n 's/^[[:space:]]*\[KEY_[A-Z_]*\][[:space:]]*=[[:space:]]*"\([A-Za-z]*\)".*/\1/p' \
	"$src/daemon/config/config.c")
[ -n "$keys" ] || { echo "FAIL: no key names found in daemon/config/config.c (key_names[])" >&2; exit 1; }

failed=0
for k in $keys; do
	grep -q "^#$k=" "$conf" || { echo "FAIL: policy/tdxd.conf lacks #$k=" >&2; failed=1; }
	grep -q "^\.BR $k= " "$page" || { echo "FAIL: tdxd.conf(5) has no entry for $k=" >&2; failed=1; }
done
for k in $(sed -n 's/^#\([A-Za-z]*\)=.*/\1/p' "$conf"); do
	grep -qx "$k" <<<"$keys" || { echo "FAIL: policy/tdxd.conf names unknown key $k" >&2; failed=1; }
done

if [ -n "$tdxctl" ]; then
	root=$(mktemp -d)
	trap 'rm -rf "$root"' EXIT
	cp -a "$src/tests/fixtures/spr-2s-v6.16-ready/." "$root/"
	mkdir -p "$root/etc/tdxd"
	sed 's/^#\([A-Za-z]*=\)/\1/' "$conf" >"$root/etc/tdxd/tdxd.conf"
	"$tdxctl" check --root "$root" --json >"$root/out.json" 2>"$root/err" || true
	if grep -i 'tdxd.conf' "$root/err" >&2; then
		echo "FAIL: the default configuration, uncommented, does not parse cleanly" >&2
		failed=1
	fi
	grep -q '"cpu_guard": *"enforce"' "$root/out.json" ||
		{ echo "FAIL: tdxctl check --json shows no cpu_guard enforce" >&2; failed=1; }
fi
[ "$failed" -eq 0 ] || exit 1
echo "ok: $(printf '%s\n' $keys | wc -l) keys documented in policy/tdxd.conf and tdxd.conf(5)"
