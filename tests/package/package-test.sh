#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Debian package (label install, package): builds it (build-deb.sh), then checks that
# - it holds the same files as `cmake --install BUILD --prefix /usr` (the unit and the udev
#   rule under /lib, as Debian 12's debhelper wants them; man pages compressed; plus the
#   package's changelog and copyright),
# - /etc/tdxd/tdxd.conf is a conffile,
# - the maintainer scripts enable and start the unit, reload udev and the journal catalog
#   (guarded), and purge removes /run/tdxd and /etc/tdxd,
# - lintian reports no error (when lintian is installed; debian/README.source lists what it
#   says otherwise).
# The .deb stays in BUILD/package/ for the system test lane.
#   package-test.sh SRC BUILD
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

rc=0
bash "$here/build-deb.sh" "$src" "$build/package" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
deb=$(ls "$build"/package/tdxd_*.deb)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
	echo "FAIL: $*" >&2
	failed=1
}

# The files (not directories) of the package and of the install tree, in one spelling.
normalize() { sed -e 's|^\./|/|' -e 's|^/lib/|/usr/lib/|' -e 's|^\(/usr/share/man/.*\)\.gz$|\1|' | sort; }
dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | normalize |
	grep -v -x -e /usr/share/doc/tdxd/changelog -e /usr/share/doc/tdxd/changelog.gz \
		-e /usr/share/doc/tdxd/copyright >"$work/deb.list"
DESTDIR=$work/tree "${CMAKE:-cmake}" --install "$build" --prefix /usr >/dev/null
(cd "$work/tree" && find . -type f -o -type l) | normalize >"$work/tree.list"
if diff -u "$work/tree.list" "$work/deb.list" >"$work/diff"; then
	echo "ok: the package holds the files of cmake --install ($(wc -l <"$work/deb.list") files)"
else
	cat "$work/diff" >&2
	fail "the package's files differ from cmake --install's (- install tree, + package)"
fi

dpkg-deb -e "$deb" "$work/control"
if grep -qx /etc/tdxd/tdxd.conf "$work/control/conffiles" 2>/dev/null; then
	echo "ok: /etc/tdxd/tdxd.conf is a conffile"
else
	fail "/etc/tdxd/tdxd.conf is not a conffile"
fi
want_in() { # SCRIPT PATTERN WHAT
	if grep -q -e "$2" "$work/control/$1" 2>/dev/null; then
		echo "ok: $1 $3"
	else
		fail "$1 does not $3"
	fi
}
want_in postinst "deb-systemd-helper enable 'tdxd.service'" "enable the unit"
want_in postinst "deb-systemd-invoke \$_dh_action 'tdxd.service'" "start the unit"
want_in postinst "udevadm control --reload" "reload the udev rules"
want_in postinst "journalctl --update-catalog" "update the journal catalog"
want_in postrm "rm -rf /run/tdxd /etc/tdxd" "remove /run/tdxd and /etc/tdxd on purge"
want_in prerm "deb-systemd-invoke stop 'tdxd.service'" "stop the unit"

unit_path=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep 'systemd/system/tdxd.service$' || true)
[ "$unit_path" = ./lib/systemd/system/tdxd.service ] ||
	fail "the unit is at '$unit_path', want ./lib/systemd/system/tdxd.service (dh_installsystemd's place on Debian 12)"

if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1 || true
	grep -v 'running with root privileges' "$work/lintian" || true
	if grep -q '^E: ' "$work/lintian"; then
		fail "lintian reports errors"
	else
		echo "ok: lintian reports no error"
	fi
else
	echo "######## lintian is not installed: the package is NOT linted ########" >&2
fi

[ "$failed" -eq 0 ] || exit 1
echo "ok: $(basename "$deb")"
