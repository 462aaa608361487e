#!/usr/bin/env bash
# Hostile roots: copies of a ready 2-socket host (emr-2s-v7.1-ready) where the files tdxd reads
# are replaced by what a broken or hostile tree can hold -- FIFOs, symlink loops, directories,
# oversized files, non-UTF-8 and control bytes, numbers past 2^64, negative numbers, CPU lists
# past any kernel's NR_CPUS -- every file at once, and one file in three (three ways). Huge
# entry names (cpu99999999, node4294967296, memory2^64-1) are added to each tree.
#
# For each tree:
#   tdxctl check --root T --json   exits 0 or 1 with a valid UTF-8 JSON document, or names
#                                  its error on stderr; never hangs
#   tdxd --root T                  takes the bus name and answers; events that make it re-read
#                                  (CPU offline/online, memory block, dax, module) leave it
#                                  alive and answering; its peak RSS stays under 1 GiB; SIGTERM
#                                  ends it with status 0 (under ASan: no leak, no UB)
# `timeout` is a hang detector with a generous limit, not a speed assertion.
. "$(dirname "$0")/../bus/lib.sh"

BASE=$FIXTURES/emr-2s-v7.1-ready
HANG=${HOSTILE_HANG_SECONDS:-300}
classes=(fifo loop dir oversized bytes past64 negative hugelist)

# make_tree CLASS VARIANT: VARIANT all, or 0/1/2 (files whose index % 3 is VARIANT)
make_tree() {
	python3 "$(dirname "$0")/make-tree.py" "$BASE" "$ROOT" "$1" "$2"
}

# check_tdxctl NAME: tdxctl check --json on the tree
check_tdxctl() {
	local name=$1 rc=0
	timeout "$HANG" "$TDXCTL" check --root "$ROOT" --json >"$WORK/out.json" 2>"$WORK/err.txt" ||
		rc=$?
	[ "$rc" -ne 124 ] || fail "$name: tdxctl check hung (no answer in ${HANG}s)"
	# under ASan+UBSan a report may come with exit status 1, which is also "not ready"
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$WORK/err.txt"; then
		fail "$name: sanitizer report from tdxctl check: $(grep -E -m3 'Sanitizer|runtime error' "$WORK/err.txt")"
	fi
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then
		python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' \
			<"$WORK/out.json" || fail "$name: tdxctl check --json is not valid UTF-8 JSON"
		# the terminal never gets raw control bytes from the warnings
		if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$WORK/err.txt"; then
			fail "$name: control bytes in tdxctl's warnings"
		fi
		pass "$name: tdxctl check --json: exit $rc, valid JSON"
	else
		grep -q '^tdxctl: ' "$WORK/err.txt" ||
			fail "$name: tdxctl check exited $rc without naming an error: $(head -c 300 "$WORK/err.txt")"
		pass "$name: tdxctl check: exit $rc, named error: $(head -n1 "$WORK/err.txt")"
	fi
}

peak_rss_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$TDXD_PID/status" 2>/dev/null || echo 0
}

# check_daemon NAME
check_daemon() {
	local name=$1 rc=0
	bus_start_daemon
	daemon_alive
	local ev
	for ev in "offline /devices/system/cpu/cpu3" "online /devices/system/cpu/cpu3" \
		"offline /devices/system/cpu/cpu99999999" "add /devices/system/memory/memory7" \
		"online /devices/system/memory/memory18446744073709551615" \
		"add /devices/platform/hmem.0/dax0.0" "add /module/kvm_intel" \
		"change /devices/system/cpu/cpu1"; do
		send_uevent "$ev"
	done
	# a Refresh re-reads everything; its answer also means the events before it were handled
	timeout "$HANG" busctl --system call org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager \
		Refresh >/dev/null 2>&1 || true
	daemon_alive
	timeout "$HANG" "$TDXCTL" status --json >"$WORK/status.json" 2>/dev/null ||
		fail "$name: tdxctl status got no answer from the daemon"
	python3 -c 'import json, sys; json.load(sys.stdin)' <"$WORK/status.json" ||
		fail "$name: the daemon's status document is not JSON"
	local rss
	rss=$(peak_rss_kb)
	[ "${rss:-0}" -lt 1048576 ] || fail "$name: tdxd peaked at ${rss} KiB (bound 1 GiB)"
	kill -TERM "$TDXD_PID"
	local i
	for i in $(seq 1 $((HANG * 10))); do
		kill -0 "$TDXD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$TDXD_PID" 2>/dev/null && fail "$name: tdxd ignored SIGTERM for ${HANG}s"
	wait "$TDXD_PID" || rc=$?
	TDXD_PID=""
	[ "$rc" -eq 0 ] || fail "$name: tdxd exited $rc on SIGTERM (see its log: a sanitizer report?)"
	pass "$name: tdxd alive through the events, answered, peak RSS ${rss} KiB, SIGTERM -> 0"
	: >"$WORK/tdxd.log"
}

cp -a "$BASE" "$ROOT"
bus_start_bus 0
for class in "${classes[@]}"; do
	for variant in all 0 1 2; do
		make_tree "$class" "$variant"
		check_tdxctl "$class/$variant"
		# the daemon on every file replaced and on one third (tdxctl covers the other two)
		if [ "$variant" = all ] || [ "$variant" = 0 ]; then
			check_daemon "$class/$variant"
		fi
	done
done
