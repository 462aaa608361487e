# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared settings and helpers of the system test lane (sourced by the host-side scripts).

# Everything expensive is cached here, outside the source tree, keyed by a hash of its inputs.
SYS_CACHE=${TDXD_SYSTEM_CACHE:-/var/tmp/tdxd-system}
SYS_MIRROR=${TDXD_SYSTEM_MIRROR:-http://deb.debian.org/debian}
SYS_SUITE=bookworm
# The guest userspace: what systemd needs to boot, plus what the scenarios call.
SYS_PACKAGES=systemd,systemd-sysv,dbus,udev,kmod,jq,procps,util-linux,libjson-c5,libkmod2,libsystemd0,libudev1
# Installed with apt in the rootfs after debootstrap: their maintainer scripts need a system
# debootstrap's own configuration stage cannot give them (polkitd: a system user, a unit).
SYS_APT_PACKAGES="polkitd"
# Bump when the way the rootfs is made changes (the hash then changes with it).
SYS_ROOTFS_REV=1

# Exit code CTest treats as "skipped" (SKIP_RETURN_CODE).
SYS_SKIP=77

sys_log() { printf 'system-lane: %s\n' "$*" >&2; }
sys_die() { sys_log "ERROR: $*"; exit 1; }

# Loud, never silent: a skipped lane must be visible in any CTest output.
sys_skip() {
	printf '\n########################################################################\n' >&2
	printf '## SYSTEM TEST LANE SKIPPED: %s\n' "$*" >&2
	printf '## Nothing was tested in QEMU. This is not a pass.\n' >&2
	printf '########################################################################\n\n' >&2
	exit "$SYS_SKIP"
}

sys_hash() { sha256sum | cut -c1-16; }

# The current Debian cloud kernel: sets SYS_KVER (uname -r of the guest) and SYS_KPKGVER.
sys_pick_kernel() {
	local meta
	meta=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*-cloud-amd64\)$/\1/p' | head -n1)
	[ -n "$meta" ] || return 1
	SYS_KVER=$meta
	SYS_KPKGVER=$(apt-cache policy "linux-image-$SYS_KVER" | sed -n 's/^ *Candidate: //p')
	[ -n "$SYS_KPKGVER" ] && [ "$SYS_KPKGVER" != "(none)" ]
}

# Host headers for $SYS_KVER (the stand-in modules are built against them).
sys_need_headers() {
	[ -e "/lib/modules/$SYS_KVER/build/Makefile" ] && return 0
	sys_log "installing linux-headers-$SYS_KVER on the host"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"linux-headers-$SYS_KVER" >/dev/null 2>&1
}

# Builds the stand-in modules (tests/system/kmod) out of tree into DIR.
sys_build_kmod() { # SRCDIR DIR
	rm -rf "$2" && mkdir -p "$2"
	cp "$1"/Kbuild "$1"/*.[ch] "$2/"
	make -s -C "/lib/modules/$SYS_KVER/build" M="$2" modules >"$2/build.log" 2>&1 ||
		{ cat "$2/build.log" >&2; return 1; }
}
