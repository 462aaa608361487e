#!/usr/bin/env bash
# Installs the Debian 12 packages tdxd needs to build and to run every test layer.
# Idempotent: it only calls apt-get when something is missing. Shared by the two README
# commands (tools/sample-host.sh, tools/test.sh) so that each works alone on a fresh machine.
set -euo pipefail

build=(build-essential cmake pkg-config clang-format libsystemd-dev libudev-dev libkmod-dev libjson-c-dev check)
bus=(dbus systemd util-linux jq python3 python3-prometheus-client)
# The fuzz layer: clang with libFuzzer (-fsanitize=fuzzer lives in the compiler-rt package).
fuzz=(clang libclang-rt-14-dev)
docs=(mandoc)
# The Debian package (tests/package): built with debhelper, checked with lintian.
package=(dpkg-dev debhelper fakeroot lintian)
# The system lane: a Debian rootfs, a Debian cloud kernel and its headers (for the stand-in
# kernel modules), QEMU with TCG.
system=(debootstrap qemu-system-x86 cpio socat kmod zstd)

want=("${build[@]}" "${bus[@]}" "${fuzz[@]}" "${docs[@]}" "${package[@]}")
if [ "${TDXD_SKIP_SYSTEM:-0}" != 1 ]; then
	want+=("${system[@]}")
fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
