#!/usr/bin/env bash
# seeds.sh TARGET SOURCE_DIR OUT_DIR: copy the fixture files a parser reads into OUT_DIR (its
# seed corpus), plus the hand-written seeds in tests/fuzz/seeds/TARGET/.
set -euo pipefail
target=$1 src=$2 out=$3
fx=$src/tests/fixtures
n=0
put() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		cp "$f" "$out/seed-$n"
	done
}
shopt -s nullglob
case $target in
kmsg) put "$fx"/*/dev/kmsg "$fx"/*/run/tdxd/kernel-log ;;
cpuinfo) put "$fx"/*/proc/cpuinfo ;;
misc-cgroup) put "$fx"/*/sys/fs/cgroup/misc.* "$fx"/*/sys/fs/cgroup/misc/misc.* ;;
tdx-metadata) put "$fx"/*/sys/firmware/tdx/tdx_module/metadata/* ;;
parse-util)
	put "$fx"/*/sys/devices/system/cpu/{online,present,possible,offline}
	put "$fx"/*/sys/devices/system/memory/block_size_bytes "$fx"/*/sys/module/*/parameters/tdx
	;;
ranges) ;;
run-state) put "$fx"/*/run/tdxd/{state,cpu-package,tdx-memory} ;;
config) put "$fx"/*/etc/tdxd/tdxd.conf  ;;
iomem) put "$fx"/*/proc/iomem ;;
uevent) ;;
requests) ;;
*) echo "seeds.sh: unknown target $target" >&2; exit 1 ;;
esac
if [ -d "$src/tests/fuzz/seeds/$target" ]; then
	put "$src/tests/fuzz/seeds/$target"/*
fi
# an empty corpus still starts from the empty input
[ "$n" -gt 0 ] || printf '' >"$out/seed-empty"
