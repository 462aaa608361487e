#!/usr/bin/env bash
# Regression for the CPU guard's early re-online path: on an offline event it reads
# cpu/online afresh. A list naming CPUs past the kernel's NR_CPUS (8192) used to be parsed
# without a bound (4294967295 wrapped the bitmap size to 0 and crashed the root daemon;
# 4000000000 stalled it for seconds). Now the list is refused and the daemon keeps answering.
. "$(dirname "$0")/lib.sh"

# shellcheck source=fixture-cpu.sh
. "$(dirname "$0")/fixture-cpu.sh"
FX_ROOT=$ROOT

# spr-2s-v6.16-ready: TDX up in KVM, CPU guard enforcing (the default), package 1 = 8-15,24-31.
cp -a "$FIXTURES/spr-2s-v6.16-ready" "$ROOT"
bus_start_bus 0
bus_start_daemon
cpu=$ROOT/sys/devices/system/cpu
# Packages counts 32 online CPUs (asked afresh on every call: wait_for repeats it)
all_cpus_online() {
	[ "$(prop_json Packages | jq '[.data[][2]] | add')" = 32 ]
}

# 4294967294: n = max + 1 made (n + 7) / 8 wrap to 0, so calloc(0) and a write far past it
for list in "0-8,10-4294967294" "0-8,10-4294967289" "0-8,10-4000000000" "0-8,4294967295" \
	"0-8,10-8192" "0-8,99999999999999999999"; do
	# a sane host first (the probe after a hostile list knows no CPUs, and the early path
	# needs CPU 9 known with its package)
	echo 1 >"$cpu/cpu9/online"
	echo "0-31" >"$cpu/online"
	send_uevent "change /devices/system/cpu/cpu9"
	wait_for all_cpus_online ||
		fail "the probe did not see the 32 CPUs again: $(prop_json Packages)"
	echo 0 >"$cpu/cpu9/online"
	echo "$list" >"$cpu/online"
	send_uevent "offline /devices/system/cpu/cpu9"
	# a second, harmless event: when it is answered, the first one has been handled
	send_uevent "change /devices/system/cpu/cpu8"
	daemon_alive
	pass "online list \"$list\" + offline event: tdxd alive and answering"
	tctl status >/dev/null || fail "tdxctl status failed after online list \"$list\""
done
# the probe that follows names the file and the bound
wait_for grep -q 'cpu/online' "$WORK/tdxd.log" || fail "no warning naming cpu/online"
pass "a warning names cpu/online"

kill -TERM "$TDXD_PID"
rc=0
wait "$TDXD_PID" || rc=$?
TDXD_PID=""
assert_eq 0 "$rc" "SIGTERM exits cleanly after the hostile lists"
