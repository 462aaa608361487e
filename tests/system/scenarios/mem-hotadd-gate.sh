# SPDX-License-Identifier: LGPL-2.1-or-later
# After initialization the kernel refuses to online memory that was not present at
# initialization: EPERM and no log line (docs/kernel-interfaces.md, *The kernel's memory notifier*). Memory that was
# present (the DIMM onlined before init) may go offline and online again.
mem=/sys/devices/system/memory
expect_file_exact "module status" /sys/firmware/tdx/tdx_module/status initialized
if ! host dimm d1 0x110000000 0x8000000 1; then fail "hot-add of DIMM d1 via QMP"; return; fi
if wait_for 30 test -e $mem/memory34/state; then pass "memory34 appeared (0x110000000)"; else
	fail "memory34 did not appear after the hot-add"; return; fi
expect_eq "memory34 state after hot-add" "$(cat $mem/memory34/state)" offline
dmesg_mark
err=$(sysfs_write $mem/memory34/state online_movable) && fail "memory34 was onlined after TDX init" ||
	expect_eq "onlining memory34 after init" "$err" "Operation not permitted"
err=$(sysfs_write $mem/memory34/online 1) && fail "memory34 onlined through 'online'" ||
	expect_eq "echo 1 > memory34/online after init" "$err" "Operation not permitted"
expect_eq "memory34 state" "$(cat $mem/memory34/state)" offline
expect_no_log "refusal is silent" "virt/tdx|tdx_"

err=$(sysfs_write $mem/memory32/state offline) && pass "memory32 (present at init) offlined" ||
	fail "offlining memory32: $err"
err=$(sysfs_write $mem/memory32/state online_movable) && pass "memory32 (present at init) onlined again" ||
	fail "onlining memory32 again: $err"
