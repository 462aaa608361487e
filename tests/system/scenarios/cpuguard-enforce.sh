# SPDX-License-Identifier: LGPL-2.1-or-later
# CPU guard, enforce, no simulated TD (so the kernel itself allows every offline and only
# tdxd stands in the way; issue 5): a CPU with an online sibling goes offline normally; the
# last CPU of package 1 is refused up front by tdxctl/OfflineCPU and, written directly, comes
# back online with CPUOfflineBlocked(2, 1, "re-onlined") and a journal entry.
cpu=/sys/devices/system/cpu
expect_eq "simulated TDs" "$(cat /sys/module/tdx_kvm_sim/parameters/nr_tds)" 0
signals_start
journal_mark

tdxctl check-cpu 3 >/dev/null 2>&1; expect_eq "tdxctl check-cpu 3 (sibling online)" $? 0
err=$(sysfs_write $cpu/cpu3/online 0) && pass "cpu3 offline" || fail "offlining cpu3: $err"
sleep 3
expect_eq "cpu3 stays offline" "$(cat $cpu/cpu3/online)" 0

out=$(tdxctl check-cpu 2 2>&1); rc=$?
expect_eq "tdxctl check-cpu 2 (last of package 1) exit" $rc 1
out=$(tdxctl offline-cpu 2 2>&1); rc=$?
expect_eq "tdxctl offline-cpu 2 exit" $rc 1
if [[ $out == *"package 1"* ]]; then pass "refusal names package 1: $out"; else fail "refusal: $out"; fi
expect_eq "cpu2 still online" "$(cat $cpu/cpu2/online)" 1
out=$(busctl call "${TDXD_BUS[@]}" OfflineCPU u 2 2>&1)
if [[ $out == *LastCPUInPackage* || $out == *"package 1"* ]]; then pass "OfflineCPU(2): $out"; else
	fail "OfflineCPU(2) answered: $out"; fi
expect_signal "up-front refusal" '^CPUOfflineBlocked 2 1 refused$'

# Behind tdxd's back: the kernel allows it (no TD), tdxd undoes it.
err=$(sysfs_write $cpu/cpu2/online 0) && pass "kernel allowed offlining cpu2 (no TD)" ||
	fail "writing 0 to cpu2/online: $err"
if wait_for 10 grep -qx 1 $cpu/cpu2/online; then pass "cpu2 back online"; else
	fail "cpu2 still offline after 10 s"; fi
expect_signal "undone offline" '^CPUOfflineBlocked 2 1 re-onlined$'
n=$(journal_new -o json | jq -s '[.[] | select(.MESSAGE_ID != null)] | length')
if [ "${n:-0}" -gt 0 ]; then pass "journal has $n tdxd entries with a MESSAGE_ID"; else
	fail "no tdxd journal entry with a MESSAGE_ID: $(journal_new | tail -n 5)"; fi
# tdxctl status shows the blocked offline with its reason (from this boot's journal)
out=$(tdxctl status 2>&1)
if grep -A5 'Recent policy actions' <<<"$out" | grep -q 'CPU 2'; then
	pass "tdxctl status lists the blocked offline of CPU 2"
else fail "tdxctl status: $out"; fi
signals_stop
