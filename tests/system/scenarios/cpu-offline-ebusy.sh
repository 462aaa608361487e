# SPDX-License-Identifier: LGPL-2.1-or-later
# With TDX up in the KVM stand-in, the last online CPU of package 1 cannot go offline while a
# (simulated) TD exists: EBUSY and the kernel's warning. With no TD the kernel allows it.
cpu=/sys/devices/system/cpu
nr=/sys/module/tdx_kvm_sim/parameters/nr_tds
expect_eq "tdx parameter" "$(cat /sys/module/tdx_kvm_sim/parameters/tdx)" Y
echo 1 >$nr
err=$(sysfs_write $cpu/cpu3/online 0) && pass "cpu3 offline (cpu2 still online in package 1)" ||
	fail "offlining cpu3 with a sibling online: $err"
dmesg_mark
err=$(sysfs_write $cpu/cpu2/online 0) && fail "cpu2 (last of package 1) went offline with nr_tds=1" ||
	expect_eq "offlining cpu2 with nr_tds=1" "$err" "Device or resource busy"
expect_eq "cpu2 online" "$(cat $cpu/cpu2/online)" 1
expect_log "warning" "tdx_kvm_sim: TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package."

echo 0 >$nr
err=$(sysfs_write $cpu/cpu2/online 0) && pass "cpu2 offline with nr_tds=0" || fail "offlining cpu2 with nr_tds=0: $err"
expect_eq "cpu2 online" "$(cat $cpu/cpu2/online)" 0
if [ -e $cpu/cpu2/topology ]; then fail "cpu2/topology still there while offline"; else pass "cpu2/topology gone while offline"; fi
for c in 2 3; do
	err=$(sysfs_write $cpu/cpu$c/online 1) && pass "cpu$c back online" || fail "onlining cpu$c: $err"
done
