#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds what the system test lane boots, in three layers, so that only the cheap one is
# rebuilt on every run:
#   base.cpio     debootstrapped bookworm rootfs + the cloud kernel's modules
#                 (cached in $SYS_CACHE, keyed by a hash of the package list, mirror, suite,
#                 kernel version and SYS_ROOTFS_REV: a warm run does not touch it)
#   payload.cpio  the stand-in kernel modules with a regenerated module index, tdxd as its
#                 Debian package installs it (`apt-get install ./tdxd_*.deb` in the rootfs,
#                 under an overlay whose upper layer becomes the payload), the guest
#                 tdxd.conf, the scenario runner and the scenarios (rebuilt every run: seconds;
#                 the package itself is rebuilt only when the source changed)
#   vmlinuz       the kernel of the same package
# The initramfs of a boot is base.cpio + payload.cpio + a per-group overlay cpio, concatenated
# (the kernel unpacks concatenated newc archives in order, later files win).
#
# usage: build-image.sh --work DIR [--build TDXD_BUILD_DIR]
# Writes DIR/image.env (SYS_KVER, SYS_VMLINUZ, SYS_BASE_CPIO, SYS_PAYLOAD_CPIO, SYS_KMOD_DIR).
# Exit 77 when the kernel, the headers or the mirror cannot be had (the lane is then skipped).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work="" build=""
while [ $# -gt 0 ]; do
	case $1 in
	--work) work=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	*) sys_die "unknown argument $1" ;;
	esac
done
[ -n "$work" ] || sys_die "usage: build-image.sh --work DIR [--build DIR]"
[ "$(id -u)" -eq 0 ] || sys_skip "needs root (debootstrap, chroot, cpio with ownership)"
mkdir -p "$work" "$SYS_CACHE"
work=$(cd "$work" && pwd)

for t in debootstrap cpio depmod apt-get dpkg-deb systemctl make mount chroot; do
	command -v "$t" >/dev/null || sys_skip "$t is not installed (tools/install-deps.sh)"
done

# Several build trees may share the cache: one builder at a time fills it.
exec 9>"$SYS_CACHE/.lock"
flock 9

# --- the kernel: the current Debian cloud kernel package, extracted once -------------------
sys_pick_kernel || sys_skip "apt does not know linux-image-cloud-amd64 (no mirror or apt-get update)"
kdir=$SYS_CACHE/kernel-$SYS_KVER-$SYS_KPKGVER
if [ ! -e "$kdir/.done" ]; then
	sys_log "fetching linux-image-$SYS_KVER $SYS_KPKGVER"
	rm -rf "$kdir" "$kdir.tmp" && mkdir -p "$kdir.tmp"
	(cd "$kdir.tmp" && apt-get download "linux-image-$SYS_KVER=$SYS_KPKGVER" >/dev/null 2>&1) ||
		{ rm -rf "$kdir.tmp"; sys_skip "cannot download linux-image-$SYS_KVER from the mirror"; }
	mkdir -p "$kdir.tmp/root"
	dpkg-deb -x "$kdir.tmp"/linux-image-*.deb "$kdir.tmp/root"
	rm -f "$kdir.tmp"/*.deb
	touch "$kdir.tmp/.done" && mv "$kdir.tmp" "$kdir"
fi
vmlinuz=$kdir/root/boot/vmlinuz-$SYS_KVER
[ -r "$vmlinuz" ] || sys_die "$vmlinuz missing from the kernel package"

# --- headers on the host, for the stand-in modules -----------------------------------------
sys_need_headers || sys_skip "cannot install linux-headers-$SYS_KVER"

# --- base.cpio: rootfs + kernel modules, by content hash ------------------------------------
key=$(printf '%s\n' "$SYS_SUITE" "$SYS_MIRROR" "$SYS_PACKAGES" "$SYS_APT_PACKAGES" "$SYS_ROOTFS_REV" \
	"$SYS_KVER" "$SYS_KPKGVER" | sys_hash)
base=$SYS_CACHE/base-$key.cpio
# Kept after packing: the package is installed on top of it every run.
rootfs=$SYS_CACHE/rootfs-$key
if [ ! -e "$base" ] || [ ! -e "$rootfs/.done" ]; then
	if [ ! -e "$rootfs/.done" ]; then
		sys_log "debootstrap $SYS_SUITE (about 40 s, once)"
		rm -rf "$rootfs" && mkdir -p "$rootfs"
		debootstrap --variant=minbase --include="$SYS_PACKAGES" "$SYS_SUITE" "$rootfs" \
			"$SYS_MIRROR" >"$SYS_CACHE/debootstrap-$key.log" 2>&1 ||
			{ tail -n 20 "$SYS_CACHE/debootstrap-$key.log" >&2
			  rm -rf "$rootfs"
			  sys_skip "debootstrap from $SYS_MIRROR failed (log above)"; }
		if [ -n "$SYS_APT_PACKAGES" ]; then
			cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
			# shellcheck disable=SC2086
			{ chroot "$rootfs" apt-get update -qq &&
				DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y -qq \
					--no-install-recommends $SYS_APT_PACKAGES; } \
				>>"$SYS_CACHE/debootstrap-$key.log" 2>&1 ||
				{ tail -n 20 "$SYS_CACHE/debootstrap-$key.log" >&2
				  rm -rf "$rootfs"
				  sys_skip "installing $SYS_APT_PACKAGES in the rootfs failed (log above)"; }
			rm -f "$rootfs/etc/resolv.conf"
		fi
		chroot "$rootfs" apt-get clean
		rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/man/* \
			"$rootfs"/usr/share/doc/* "$rootfs"/usr/share/locale/*
		touch "$rootfs/.done"
	fi
	sys_log "packing $base"
	mods=$work/base-mods
	rm -rf "$mods" && mkdir -p "$mods/usr/lib/modules"
	cp -a "$kdir/root/lib/modules/$SYS_KVER" "$mods/usr/lib/modules/"
	depmod -b "$mods/usr" "$SYS_KVER"
	{ (cd "$rootfs" && find . -path ./.done -prune -o -print | LC_ALL=C sort |
		cpio -o -H newc --quiet)
	  (cd "$mods" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet)
	} >"$base.tmp"
	mv "$base.tmp" "$base"
	rm -rf "$mods"
fi

flock -u 9

# --- the stand-in kernel modules ------------------------------------------------------------
kmod=$work/kmod
sys_build_kmod "$here/kmod" "$kmod" || sys_die "building the stand-in modules failed"

# --- payload.cpio ---------------------------------------------------------------------------
pl=$work/payload
rm -rf "$pl" && mkdir -p "$pl"

# Module index over the kernel's modules plus ours (later archive entries replace base's).
mt=$work/modtree
rm -rf "$mt" && mkdir -p "$mt/lib/modules"
cp -al "$kdir/root/lib/modules/$SYS_KVER" "$mt/lib/modules/"
mkdir -p "$mt/lib/modules/$SYS_KVER/extra"
cp "$kmod"/*.ko "$mt/lib/modules/$SYS_KVER/extra/"
depmod -b "$mt" "$SYS_KVER"
mkdir -p "$pl/usr/lib/modules/$SYS_KVER"
cp -a "$mt/lib/modules/$SYS_KVER"/modules.* "$mt/lib/modules/$SYS_KVER/extra" \
	"$pl/usr/lib/modules/$SYS_KVER/"
rm -rf "$mt"

# tdxd as an operator installs it: its Debian package, built from this source (cached in
# BUILD/package/ by source content), installed with apt-get into the guest's rootfs seen
# through an overlay. The maintainer scripts run there (they enable the unit; starting it,
# reloading udev are skipped without a running systemd), and everything they and dpkg wrote,
# the dpkg database included, is the overlay's upper layer: that becomes the payload.
if [ -n "$build" ]; then
	deb_rc=0
	bash "$here/../package/build-deb.sh" "$here/../.." "$build/package" >"$work/deb.log" 2>&1 ||
		deb_rc=$?
	case $deb_rc in
	0) sys_log "$(tail -n 1 "$work/deb.log")" ;;
	77) cat "$work/deb.log" >&2; sys_skip "the Debian package cannot be built here (dpkg-buildpackage, debhelper)" ;;
	*) cat "$work/deb.log" >&2; sys_die "building the Debian package failed" ;;
	esac
	deb=$(ls "$build"/package/tdxd_*.deb)
	ov=$work/deb-overlay
	umount "$ov/merged" 2>/dev/null || true
	rm -rf "$ov" && mkdir -p "$ov/upper" "$ov/work" "$ov/merged"
	mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$ov/upper,workdir=$ov/work" \
		"$ov/merged" || sys_die "cannot mount an overlay over $rootfs"
	cp "$deb" "$ov/merged/tmp/"
	inst_rc=0
	DEBIAN_FRONTEND=noninteractive chroot "$ov/merged" apt-get install -y \
		"/tmp/$(basename "$deb")" >"$work/install.log" 2>&1 || inst_rc=$?
	rm -f "$ov/merged/tmp/$(basename "$deb")"
	umount "$ov/merged"
	[ "$inst_rc" -eq 0 ] ||
		{ cat "$work/install.log" >&2; sys_die "apt-get install ./$(basename "$deb") in the guest rootfs failed"; }
	# Whiteouts (files dpkg or apt removed, character devices 0:0) have no meaning in a cpio
	# unpacked over the base; apt's caches are not needed.
	find "$ov/upper" -type c -delete
	rm -rf "$ov/upper/var/cache/apt" "$ov/upper/var/log/apt" "$ov/upper/tmp"
	cp -a "$ov/upper/." "$pl/"
	rm -rf "$ov"
	sys_log "installed $(basename "$deb") into the image with apt-get"
fi
unit=""
for u in "$pl/usr/lib/systemd/system/tdxd.service" "$pl/lib/systemd/system/tdxd.service"; do
	[ -e "$u" ] && unit=$u
done
if [ -n "$unit" ]; then
	# The package's postinst (dh_installsystemd) enables the unit; the lane does not do it
	# for the package, so a package that forgot would fail here.
	[ -L "$pl/etc/systemd/system/multi-user.target.wants/tdxd.service" ] ||
		sys_die "the package did not enable tdxd.service (no multi-user.target.wants link)"
fi
mkdir -p "$pl/etc/tdxd"
cat >"$pl/etc/tdxd/tdxd.conf" <<'CONF'
# Written by tests/system/build-image.sh: the guest has no TDX hardware, so tdxd enables the
# stand-in KVM module (tests/system/kmod) instead of kvm_intel.
[Manager]
KVMModule=tdx_kvm_sim
CONF

# Guest plumbing: the stand-in core at boot, the scenario runner after multi-user.
mkdir -p "$pl/etc/modules-load.d" "$pl/usr/lib/tdxd-system/scenarios" \
	"$pl/etc/systemd/system/multi-user.target.wants"
echo tdx_core_sim >"$pl/etc/modules-load.d/tdx-sim.conf"
cp "$here"/guest/run-scenarios "$here"/guest/lib.sh "$pl/usr/lib/tdxd-system/"
cp "$here"/scenarios/*.sh "$pl/usr/lib/tdxd-system/scenarios/"
chmod 0755 "$pl/usr/lib/tdxd-system/run-scenarios"
cp "$here"/guest/tdxd-system-test.service "$pl/etc/systemd/system/"
# Attestation stand-ins (guest/README.attestation): installed in every image, enabled by the
# attest group's overlay only.
if [ -n "$build" ] && [ -x "$build/tests/system/qgs-stub" ]; then
	cp "$build/tests/system/qgs-stub" "$pl/usr/lib/tdxd-system/"
fi
cp "$here"/guest/qgsd.service "$here"/guest/sgx-cpuinfo-sim.service "$pl/etc/systemd/system/"
ln -s ../tdxd-system-test.service \
	"$pl/etc/systemd/system/multi-user.target.wants/tdxd-system-test.service"
# Noise and timers that have no place in a test boot; the serial line is ours.
for m in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer \
	apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer \
	dpkg-db-backup.timer; do
	ln -sf /dev/null "$pl/etc/systemd/system/$m"
done
echo tdxd-system >"$pl/etc/hostname"
: >"$pl/etc/machine-id"

(cd "$pl" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) >"$work/payload.cpio"

cat >"$work/image.env" <<ENV
SYS_KVER=$SYS_KVER
SYS_VMLINUZ=$vmlinuz
SYS_BASE_CPIO=$base
SYS_PAYLOAD_CPIO=$work/payload.cpio
SYS_PAYLOAD_DIR=$pl
SYS_KMOD_DIR=$kmod
SYS_HAVE_TDXD=$([ -n "$unit" ] && echo 1 || echo 0)
ENV
sys_log "image ready: kernel $SYS_KVER, base $(basename "$base"), tdxd unit: $([ -n "$unit" ] && echo yes || echo no)"
