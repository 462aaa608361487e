# SPDX-License-Identifier: LGPL-2.1-or-later
# CPU guard in warn mode (docs/readiness.md, *CPU guard*; issue 5), TDX ready, no simulated TD (so the kernel
# allows every offline): the last online CPU of package 1 written offline directly stays
# offline, CPUOfflineBlocked(2, 1, "warned") and a journal entry with the CPU guard MESSAGE_ID;
# the udev rule's helper does not undo it either (it acts only with CPU_GUARD=enforce);
# cpu-packages fails and State is degraded. tdxctl offline-cpu of that CPU offlines it and
# warns once. Every CPU is online again at the end.
MID=6a1c3f0e9d2b4b7a8e51c0d4f2a7b913
cpu=/sys/devices/system/cpu
if wait_state ready 60; then pass "State ready"; else fail "State: $(prop State)"; fi
expect_eq "CPUGuard" "$(prop CPUGuard)" '"warn"'
if grep -qx CPU_GUARD=warn /run/tdxd/state; then pass "/run/tdxd/state has CPU_GUARD=warn"; else
	fail "/run/tdxd/state: $(cat /run/tdxd/state 2>&1)"; fi
expect_eq "simulated TDs" "$(cat /sys/module/tdx_kvm_sim/parameters/nr_tds)" 0

# warned_count: CPUOfflineBlocked(2, 1, "warned") signals seen so far.
warned_count() { signals | grep -cx 'CPUOfflineBlocked 2 1 warned'; }
# expect_degraded WHAT: package 1 has no online CPU.
expect_degraded() {
	local check
	if wait_state degraded 30; then pass "$1: State degraded"; else fail "$1: State $(prop State)"; fi
	check=$(prop Checks | jq -c '.[] | select(.[0] == "cpu-packages")')
	if [[ $(jq -r '.[2]' <<<"$check") == fail && $(jq -r '.[3]' <<<"$check") == *1* ]]; then
		pass "$1: cpu-packages fails: $check"; else fail "$1: cpu-packages: $check"; fi
	if [ -n "$(jq -r '.[4]' <<<"$check")" ]; then pass "$1: cpu-packages has a hint"; else
		fail "$1: cpu-packages hint empty"; fi
}

signals_start
journal_mark
err=$(sysfs_write $cpu/cpu3/online 0) && pass "cpu3 offline (cpu2 still online)" ||
	fail "offlining cpu3: $err"

# 1. A direct write behind tdxd's back: allowed by the kernel, reported, not undone.
err=$(sysfs_write $cpu/cpu2/online 0) && pass "kernel allowed offlining cpu2 (no TD)" ||
	fail "writing 0 to cpu2/online: $err"
expect_signal "direct offline" '^CPUOfflineBlocked 2 1 warned$'
udevadm settle --timeout=30
sleep 3
expect_eq "cpu2 left offline (nothing undone)" "$(cat $cpu/cpu2/online)" 0
if signals | grep -q 're-onlined'; then fail "re-onlined signal in warn mode: $(signals | tr '\n' ';')"
else pass "no re-onlined signal"; fi
if journalctl -b -t tdxd-cpu-guard --since "@$SYS_JOURNAL_SINCE" --no-pager -o cat | grep -q .; then
	fail "the udev helper acted: $(journalctl -b -t tdxd-cpu-guard --no-pager -o cat | tail -n 2)"
else pass "the udev helper did not act (CPU_GUARD=warn)"; fi
SYS_MID=$MID
if wait_for 15 eval 'journalctl -b -u tdxd MESSAGE_ID=$SYS_MID --since "@$SYS_JOURNAL_SINCE" -o cat --no-pager | grep -q "CPU 2"'; then
	pass "journal: $(journalctl -b -u tdxd MESSAGE_ID=$MID --since "@$SYS_JOURNAL_SINCE" -o cat --no-pager | grep "CPU 2" | head -n 1)"
else fail "no tdxd journal entry with MESSAGE_ID=$MID naming CPU 2; last: $(journal_new | tail -n 3)"; fi
expect_degraded "after the direct offline"

err=$(sysfs_write $cpu/cpu2/online 1) && pass "cpu2 online again" || fail "onlining cpu2: $err"
if wait_state ready 30; then pass "State ready with cpu2 back"; else fail "State: $(prop State)"; fi

# 2. tdxctl offline-cpu in warn mode: offlines it and warns exactly once (the request and the
# kernel's offline event that follows are one offline).
before=$(warned_count)
out=$(tdxctl offline-cpu 2 2>&1); rc=$?
expect_eq "tdxctl offline-cpu 2 exit (warn mode)" $rc 0
note "tdxctl offline-cpu 2: $out"
expect_eq "cpu2 offline" "$(cat $cpu/cpu2/online)" 0
wait_for 10 eval '[ "$(warned_count)" -gt "$before" ]'
udevadm settle --timeout=30
sleep 3
expect_eq "CPUOfflineBlocked(2, 1, warned) signals for tdxctl offline-cpu" $(($(warned_count) - before)) 1
expect_eq "cpu2 still offline" "$(cat $cpu/cpu2/online)" 0
expect_degraded "after tdxctl offline-cpu"

# Leave the CPUs as the boot had them.
err=$(sysfs_write $cpu/cpu2/online 1) && pass "cpu2 online again" || fail "onlining cpu2: $err"
err=$(sysfs_write $cpu/cpu3/online 1) && pass "cpu3 online again" || fail "onlining cpu3: $err"
if wait_state ready 30; then pass "State ready at the end"; else fail "State at the end: $(prop State)"; fi
signals_stop
