# SPDX-License-Identifier: LGPL-2.1-or-later
# With tdxd stopped, the udev rule and its helper alone bring back the last CPU of a package
# (issue 5): /run/tdxd survives the stop (RuntimeDirectoryPreserve=yes).
cpu=/sys/devices/system/cpu
expect_eq "cpu3 offline" "$(cat $cpu/cpu3/online)" 0
systemctl stop tdxd
expect_eq "tdxd stopped" "$(systemctl is-active tdxd)" inactive
if grep -qx CPU_GUARD=enforce /run/tdxd/state; then pass "/run/tdxd/state kept across the stop"; else
	fail "/run/tdxd/state: $(cat /run/tdxd/state 2>&1)"; fi
err=$(sysfs_write $cpu/cpu2/online 0) && pass "kernel allowed offlining cpu2" || fail "offlining cpu2: $err"
if wait_for 10 grep -qx 1 $cpu/cpu2/online; then pass "the udev rule brought cpu2 back"; else
	fail "cpu2 still offline 10 s later, with tdxd stopped"; fi
systemctl start tdxd
if wait_state ready 60; then pass "ready after start"; else fail "State after start: $(prop State)"; fi
err=$(sysfs_write $cpu/cpu3/online 1) && pass "cpu3 back online" || fail "onlining cpu3: $err"
