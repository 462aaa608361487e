# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory gate before TDX is enabled (EnableTDX=no), with a udev rule that onlines every
# hot-added block (groups/memgate): a DIMM inside the stand-in's CMRs ends online, one outside
# ends offline (tdxd offlines it again), with MemoryRefused and the reason (issue 6).
mem=/sys/devices/system/memory
expect_eq "State (EnableTDX=no)" "$(prop State)" '"disabled"'
signals_start
journal_mark
if ! host dimm d0 0x100000000 0x8000000 0; then fail "hot-add of DIMM d0"; return; fi
if wait_for 30 grep -qx online $mem/memory32/state; then pass "memory32 (inside a CMR) online"; else
	fail "memory32: $(cat $mem/memory32/state 2>&1)"; fi
if ! host dimm d1 0x110000000 0x8000000 1; then fail "hot-add of DIMM d1"; return; fi
if wait_for 30 test -e $mem/memory34/state; then pass "memory34 appeared"; else
	fail "memory34 did not appear"; return; fi
expect_signal "refused outside the CMRs" '^MemoryRefused memory34 4563402752 134217728 .*convertible'
if wait_for 10 grep -qx offline $mem/memory34/state; then sleep 2
	expect_eq "memory34 final state" "$(cat $mem/memory34/state)" offline
else fail "memory34 stayed $(cat $mem/memory34/state)"; fi
expect_journal "refusal logged with range and reason" 'convertible' '0x110000000'

out=$(tdxctl check-memory 0x110000000 128M 2>&1); rc=$?
expect_eq "tdxctl check-memory 0x110000000 128M exit" $rc 1
if [[ $out == *convertible* ]]; then pass "check-memory reason: $out"; else fail "check-memory: $out"; fi
tdxctl check-memory 0x100000000 128M >/dev/null 2>&1
expect_eq "tdxctl check-memory inside the CMRs exit" $? 0
signals_stop
