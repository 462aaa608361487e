#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the Debian package from a copy of the source tree (dpkg-buildpackage writes into
# debian/ and next to the source; the developer's tree stays clean) and leaves
# tdxd_VERSION_ARCH.deb in OUTDIR. Shared by the package test and the system test lane.
#   build-deb.sh SRC OUTDIR
# Exit 77 (skip) when dpkg-buildpackage or debhelper is missing.
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2

for tool in dpkg-buildpackage dh fakeroot; do
	if ! command -v "$tool" >/dev/null; then
		echo "######## SKIP: $tool is not installed (tools/install-deps.sh installs it): the Debian package is NOT built ########" >&2
		exit 77
	fi
done

# The source as a fresh clone has it: no build directories, no VCS data.
source_tar() { # [tar options]
	tar -C "$src" --exclude=./.git --exclude=./build --exclude='./build-*' --exclude='./_build*' \
		--exclude=./debian/tdxd --exclude='./obj-*' --sort=name --owner=0 --group=0 \
		--numeric-owner "$@" -cf - .
}
# Same source, same package: the test and the system lane of one run share one build. The
# key ignores the files' times (a touch rebuilds nothing); the copy keeps them (dpkg clamps
# them to the changelog's date, and a file from 1970 is an error to lintian).
key=$(source_tar --mtime=@0 | sha256sum | cut -c1-16)
if [ -f "$out/.source-key" ] && [ "$(cat "$out/.source-key")" = "$key" ] &&
	ls "$out"/tdxd_*.deb >/dev/null 2>&1; then
	echo "up to date: $(cd "$out" && ls tdxd_*.deb) (source $key)"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tdxd"
source_tar | tar -C "$work/tdxd" -xf -

# Not niced: beside other load at normal priority (a shared CI machine) a niced build got a few
# per cent of a core and ran past its test's time limit.
# nocheck: the unit tests the package build would run are the unit layer of tools/test.sh,
# which has run them already; here the package is what is tested (a manual build runs them).
if ! (cd "$work/tdxd" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$work/log" 2>&1; then
	tail -n 60 "$work/log" >&2
	echo "FAIL: dpkg-buildpackage -us -uc -b (log above)" >&2
	exit 1
fi
mkdir -p "$out"
rm -f "$out"/tdxd_*.deb "$out/.source-key"
cp "$work"/tdxd_*.deb "$out/"
echo "$key" >"$out/.source-key"
echo "built: $(cd "$out" && ls tdxd_*.deb)"
