#!/usr/bin/env bash
# A long probe does not stop tdxd from answering (issue "robustness"): the probes that kernel
# events and Refresh() ask for run in a worker thread ("tdxd-probe"), and the loop answers
# every other call meanwhile. TDXD_TEST_PROBE_GATE (honoured with --root only) makes each such
# probe wait on a FIFO before it reads, so the test, not the machine's speed, decides when a
# probe ends.
. "$(dirname "$0")/lib.sh"

GATE=$WORK/gate
mkfifo "$GATE"
DAEMON_ENV="TDXD_TEST_PROBE_GATE=$GATE"
bus_setup emr-2s-v7.1-ready
assert_eq 31 "$(prop TotalKeyIDs)" "TotalKeyIDs at start"

probe_thread() {
	grep -qx tdxd-probe /proc/"$TDXD_PID"/task/*/comm
}
# release: the held probe goes on (the write blocks until it has the FIFO open)
release() {
	echo x >"$GATE"
}
running() {
	kill -0 "$1" 2>/dev/null
}

# ---- Refresh(): its probe is held; everything else is answered meanwhile
call Refresh >"$WORK/refresh1.out" 2>&1 &
R1=$!
wait_for probe_thread || fail "Refresh() started no probe thread"
assert_eq ready "$(prop State)" "State answered while a probe runs"
call GetCapabilities >/dev/null || fail "GetCapabilities() not answered while a probe runs"
tctl status >/dev/null || fail "tdxctl status failed while a probe runs"
as_nobody "$TDXCTL" check-cpu 3 >/dev/null || fail "CheckCPUOffline not answered while a probe runs"
running "$R1" || fail "Refresh() returned before its probe ended"
pass "a held probe: State, GetCapabilities, tdxctl status and check-cpu answered, Refresh() waits"

# a change and a second Refresh() while the first probe runs: served by the next probe, which
# starts after it, so the change is seen
echo "tdx 15" >"$ROOT/sys/fs/cgroup/misc.capacity"
call Refresh >"$WORK/refresh2.out" 2>&1 &
R2=$!
release
wait "$R1" || fail "the first Refresh() failed: $(cat "$WORK/refresh1.out")"
pass "the first Refresh() returns when its probe ends"
wait_for probe_thread || fail "no second probe for the Refresh() made while one ran"
running "$R2" || fail "the second Refresh() returned before a probe that started after it"
release
wait "$R2" || fail "the second Refresh() failed: $(cat "$WORK/refresh2.out")"
assert_eq 15 "$(prop TotalKeyIDs)" "the second Refresh() sees the change made while the first ran"

# ---- a kernel event's probe is held the same way (a memory block gone: one probe for the burst)
send_uevent "remove /devices/system/memory/memory9999"
wait_for probe_thread || fail "the event started no probe thread"
assert_eq ready "$(prop State)" "State answered while an event's probe runs"
release
wait_for sh -c "! grep -qx tdxd-probe /proc/$TDXD_PID/task/*/comm" ||
	fail "the event's probe thread did not end after its release"
daemon_alive
pass "an event's probe held: answered meanwhile, ended on release"

# ---- SIGTERM with nothing held: exits 0
bus_stop_daemon
grep -q "ERROR: AddressSanitizer\|runtime error\|WARNING: ThreadSanitizer" "$WORK/tdxd.log" && fail "sanitizer report"
pass "stopped"
