#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `cmake --install BUILD --prefix /usr` into a DESTDIR, then: every file tdxd(8) lists under FILES
# (and the man pages and the bash completion) is where a Debian host expects it, the files
# that name other installed files name them at their installed paths, and nothing that
# must not be installed is (no D-Bus activation file, no active modprobe.d snippet).
#   install-tree.sh BUILD_DIR
set -euo pipefail
build=$1

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
if ! DESTDIR=$dest "${CMAKE:-cmake}" --install "$build" --prefix /usr >"$dest.log" 2>&1; then
	cat "$dest.log" >&2
	rm -f "$dest.log"
	echo "FAIL: cmake --install" >&2
	exit 1
fi
rm -f "$dest.log"

failed=0
fail() {
	echo "FAIL: $*" >&2
	failed=1
}

want_file() { # PATH [x]
	if [ ! -f "$dest$1" ]; then
		fail "$1 is not installed"
	elif [ "${2:-}" = x ] && [ ! -x "$dest$1" ]; then
		fail "$1 is not executable"
	else
		echo "ok: $1"
	fi
}

want_file /usr/sbin/tdxd x
want_file /usr/bin/tdxctl x
want_file /usr/libexec/tdxd/tdxd-cpu-guard x
want_file /usr/lib/systemd/system/tdxd.service
want_file /usr/lib/udev/rules.d/60-tdxd.rules
want_file /usr/share/dbus-1/system.d/org.tdxd.Tdx1.conf
want_file /usr/share/dbus-1/interfaces/org.tdxd.Tdx1.Manager.xml
want_file /usr/lib/systemd/catalog/tdxd.catalog
want_file /usr/share/doc/tdxd/tdxd-kvm-intel.conf
want_file /etc/tdxd/tdxd.conf
want_file /usr/share/doc/tdxd/tdxd.conf.example
want_file /usr/share/man/man8/tdxd.8
want_file /usr/share/man/man8/tdxctl.8
want_file /usr/share/man/man5/tdxd.conf.5
want_file /usr/share/man/man5/org.tdxd.Tdx1.5
want_file /usr/share/bash-completion/completions/tdxctl

# Not installed: the bus does not start tdxd, and the modprobe.d snippet is an example only.
for p in /usr/share/dbus-1/system-services /etc/modprobe.d /usr/lib/modprobe.d /lib/modprobe.d; do
	if [ -e "$dest$p" ]; then
		fail "$p must not be installed: $(cd "$dest$p" && ls)"
	fi
done

# Files naming other installed files name them at their installed place.
unit=$dest/usr/lib/systemd/system/tdxd.service
if [ -f "$unit" ]; then
	exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
	[ "$exec_start" = /usr/sbin/tdxd ] || fail "tdxd.service: ExecStart=$exec_start, want /usr/sbin/tdxd"
fi
rules=$dest/usr/lib/udev/rules.d/60-tdxd.rules
if [ -f "$rules" ]; then
	helper=$(sed -n 's/.*RUN+="\([^ "]*\).*/\1/p' "$rules")
	[ "$helper" = /usr/libexec/tdxd/tdxd-cpu-guard ] ||
		fail "60-tdxd.rules runs '$helper', want /usr/libexec/tdxd/tdxd-cpu-guard"
fi
if grep -rIl '@[A-Za-z_]\+@' "$dest" >/dev/null 2>&1; then
	fail "placeholders left in: $(grep -rIl '@[A-Za-z_]\+@' "$dest" | sed "s|^$dest||" | tr '\n' ' ')"
fi

# `systemctl enable` works on the tree as installed (what the system test lane does to its
# guest root): the [Install] section wires tdxd into multi-user.target.
if [ -f "$unit" ] && command -v systemctl >/dev/null; then
	if systemctl --root="$dest" enable tdxd.service >/dev/null 2>&1 &&
		[ "$(readlink "$dest/etc/systemd/system/multi-user.target.wants/tdxd.service")" = \
			/usr/lib/systemd/system/tdxd.service ]; then
		echo "ok: systemctl --root enable tdxd.service"
	else
		fail "systemctl --root=DESTDIR enable tdxd.service did not link it into multi-user.target"
	fi
fi

# A second install keeps the administrator's configuration and refreshes the example.
if [ -f "$dest/etc/tdxd/tdxd.conf" ]; then
	echo "EnableTDX=no # edited by the administrator" >>"$dest/etc/tdxd/tdxd.conf"
	if ! DESTDIR=$dest "${CMAKE:-cmake}" --install "$build" --prefix /usr >"$dest.log" 2>&1; then
		cat "$dest.log" >&2
		fail "second cmake --install"
	fi
	rm -f "$dest.log"
	if grep -q "edited by the administrator" "$dest/etc/tdxd/tdxd.conf"; then
		echo "ok: a reinstall keeps an edited /etc/tdxd/tdxd.conf"
	else
		fail "a reinstall overwrote an edited /etc/tdxd/tdxd.conf"
	fi
fi

# Every file CMake says it installed is below DESTDIR: install code that wrote to an absolute
# path by hand would have written to the build host itself.
while IFS= read -r f; do
	[ -e "$dest$f" ] || [ -L "$dest$f" ] || fail "installed outside DESTDIR: $f"
done <"$build/install_manifest.txt"

if [ "$failed" -ne 0 ]; then
	echo "---- installed tree ----" >&2
	(cd "$dest" && find . -type f -o -type l | sort) >&2
	exit 1
fi
echo "ok: install tree complete"
