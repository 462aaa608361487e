# SPDX-License-Identifier: LGPL-2.1-or-later
# Before the TDX module is initialized the gate is not active: a hot-added DIMM (inside the
# stand-in's CMRs, at 4 GiB) appears as offline blocks and can be onlined.
mem=/sys/devices/system/memory
if ! host dimm d0 0x100000000 0x8000000 0; then fail "hot-add of DIMM d0 via QMP"; return; fi
if wait_for 30 test -e $mem/memory32/state; then pass "memory32 appeared (0x100000000)"; else
	fail "memory32 did not appear after the hot-add"; return; fi
expect_eq "memory32 state after hot-add" "$(cat $mem/memory32/state)" offline
err=$(sysfs_write $mem/memory32/state online_movable) && pass "memory32 onlined before TDX init" ||
	fail "onlining memory32 before TDX init: $err"
expect_eq "memory32 state" "$(cat $mem/memory32/state)" online
