#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench-cpu-guard.sh [ITERATIONS]: the CPU guard's window, i.e. how long the last online CPU
# of a package stays offline before the guard brings it back (a TD created or torn down in that
# window can fail). Measured on fixture trees, from the moment the CPU's online file reads 0
# until it reads 1 again:
#   daemon:  tdxd --root on a private bus, the offline event sent through its --uevents FIFO
#            (the daemon re-probes the host, decides, writes 1);
#   helper:  tdxd-cpu-guard run the way udev's RUN+= runs it (fork + exec, reads /run/tdxd
#            and a few sysfs files, writes 1).
# On the 2-socket fixture and on the generated 960-CPU / 50,000-memory-block host. What a real
# host adds (the kernel's own offline and online, udev's event delivery) is not in these
# numbers: see tests/bench/README.md.
#
# Not a CTest (speed is benchmarked, not asserted): `cmake --build BUILD --target
# bench-cpu-guard`, or run it with TDXD, TDXCTL, POLICY_FILE, FIXTURES and CPU_GUARD_HELPER
# set as for the bus tests.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../bus/lib.sh
. "$here/../bus/lib.sh"
# shellcheck source=../bus/fixture-cpu.sh
. "$here/../bus/fixture-cpu.sh"
: "${CPU_GUARD_HELPER:?CPU_GUARD_HELPER must point at the tdxd-cpu-guard binary}"

ITER=${1:-50}
FX_ROOT=$ROOT
mkfifo "$WORK/nap"
exec {NAP_FD}<>"$WORK/nap" # read-write: never EOF, so read -t really waits


# stats LABEL FILE: min / median / p95 / max of the microsecond samples in FILE, in ms
stats() {
	sort -n "$2" | awk -v label="$1" '{ v[NR] = $1 } END {
		p95 = int(NR * 0.95 + 0.5); if (p95 < 1) p95 = 1; if (p95 > NR) p95 = NR
		printf "%-44s n=%-4d min %7.2f  median %7.2f  p95 %7.2f  max %7.2f ms\n",
		       label, NR, v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[p95] / 1000, v[NR] / 1000
	}'
}

# wait_online CPU: poll the online file with builtins only, so the poll costs microseconds
wait_online() {
	local f=$FX_ROOT/sys/devices/system/cpu/cpu$1/online v deadline
	deadline=$((${EPOCHREALTIME/[.,]/} + 10000000))
	while read -r v <"$f"; [ "$v" != 1 ]; do
		((${EPOCHREALTIME/[.,]/} < deadline)) || return 1
		# 100 us naps on a pipe nobody writes: no fork, and no busy loop stealing the CPU
		# the daemon needs on a small VM
		read -r -t 0.0001 -u "$NAP_FD" || :
	done
}

package_online_is() {
	[ "$(prop_json Packages | jq --argjson p "$1" '.data[] | select(.[0] == $p) | .[2]')" = "$2" ]
}

# one_offline CPU: the kernel's side of an offline (topology/ and lists) first, then the write
# of 0 that starts the clock. Prints nothing; sets T0.
one_offline() {
	local cpu=$FX_ROOT/sys/devices/system/cpu/cpu$1
	rm -rf "$cpu/topology"
	echo 0 >"$cpu/online" # so fx_relist leaves it out
	fx_relist
	echo 1 >"$cpu/online" # back for an instant: the timed write follows
	T0=${EPOCHREALTIME/[.,]/}
	echo 0 >"$cpu/online"
}

# bench_daemon LABEL CPU PKG: ITER offlines of the last CPU of a package with tdxd running
bench_daemon() {
	local label=$1 cpu=$2 pkg=$3 i out=$WORK/daemon.samples
	: >"$out"
	for ((i = 0; i < ITER; i++)); do
		one_offline "$cpu"
		printf 'offline /devices/system/cpu/cpu%s\n' "$cpu" >"$FIFO"
		wait_online "$cpu" || fail "tdxd did not bring CPU $cpu back within 10 s"
		echo $((${EPOCHREALTIME/[.,]/} - T0)) >>"$out"
		# the kernel's side of the re-online, and its event, before the next round
		fx_cpu_online "$pkg" "$cpu"
		printf 'online /devices/system/cpu/cpu%s\n' "$cpu" >"$FIFO"
		wait_for package_online_is "$pkg" 1 || fail "tdxd did not see CPU $cpu online"
	done
	stats "$label" "$out"
}

# bench_helper LABEL CPU PKG: the udev helper alone (daemon stopped)
bench_helper() {
	local label=$1 cpu=$2 pkg=$3 i out=$WORK/helper.samples
	: >"$out"
	for ((i = 0; i < ITER; i++)); do
		one_offline "$cpu"
		"$CPU_GUARD_HELPER" --root "$FX_ROOT" --quiet "cpu$cpu" 2>/dev/null ||
			fail "tdxd-cpu-guard failed"
		wait_online "$cpu" || fail "tdxd-cpu-guard did not bring CPU $cpu back"
		echo $((${EPOCHREALTIME/[.,]/} - T0)) >>"$out"
		fx_cpu_online "$pkg" "$cpu"
	done
	stats "$label" "$out"
}

# run_host LABEL SOURCE_TREE CPU PKG OFFLINE...: leave CPU the last online CPU of PKG
run_host() {
	local label=$1 src=$2 cpu=$3 pkg=$4
	shift 4
	bus_stop_daemon
	rm -rf "$ROOT"
	# a tree generated for this run is used as is: 50,000 block directories copy slowly
	if [[ $src == "$WORK"/* ]]; then mv "$src" "$ROOT"; else cp -a "$src" "$ROOT"; fi
	echo "# $label: CPUs $(cat "$ROOT/sys/devices/system/cpu/present") present," \
		"$(find "$ROOT/sys/devices/system/memory" -maxdepth 1 -name 'memory[0-9]*' 2>/dev/null |
			wc -l) memory blocks"
	fx_cpu_offline "$@"
	bus_start_daemon
	# the daemon must see package PKG with exactly one online CPU
	package_online_is "$pkg" 1 ||
		fail "$label: package $pkg does not have exactly one online CPU"
	bench_daemon "$label: tdxd (FIFO event -> online=1)" "$cpu" "$pkg"
	bus_stop_daemon
	bench_helper "$label: tdxd-cpu-guard alone (fork+exec)" "$cpu" "$pkg"
}

bus_start_bus 0

# 2-socket Sapphire Rapids fixture: package 1 = 8-15,24-31; keep only CPU 8.
run_host "spr-2s (32 CPUs)" "$FIXTURES/spr-2s-v6.16-ready" 8 1 \
	9 10 11 12 13 14 15 24 25 26 27 28 29 30 31

# The generated large host: 8 packages x 120 CPUs, 50,000 memory blocks. Package 7 is
# CPUs 420-479 and 900-959; keep only CPU 420.
if [ -f "$FIXTURES/gen-large-host.sh" ] && [ "${SKIP_LARGE:-0}" != 1 ]; then
	large=$WORK/large
	if bash "$FIXTURES/gen-large-host.sh" "$large" >/dev/null 2>"$WORK/gen.err"; then
		mapfile -t off < <(seq 421 479; seq 900 959)
		ITER=${LARGE_ITER:-$((ITER < 20 ? ITER : 20))}
		run_host "large (960 CPUs, 50,000 blocks)" "$large" 420 7 "${off[@]}"
	else
		echo "# large host skipped: gen-large-host.sh failed: $(tail -n 1 "$WORK/gen.err")"
	fi
fi
