# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory gate once the module is initialized (issue 6): a DIMM hot-added now stays offline even
# inside the CMRs, with MemoryRefused and a journal line giving the reason; check-memory says
# the same; invalid ranges are refused.
mem=/sys/devices/system/memory
signals_start
journal_mark
if ! host dimm d0 0x100000000 0x8000000 0; then fail "hot-add of DIMM d0 via QMP"; return; fi
if wait_for 30 test -e $mem/memory32/state; then pass "memory32 appeared"; else
	fail "memory32 did not appear"; return; fi
expect_signal "refused after init" '^MemoryRefused memory32 4294967296 134217728 .*initialized'
sleep 2
expect_eq "memory32 state" "$(cat $mem/memory32/state)" offline
expect_journal "refusal logged with range and reason" 'initialized' '0x100000000'

out=$(tdxctl check-memory 0x100000000 128M 2>&1); rc=$?
expect_eq "tdxctl check-memory 0x100000000 128M exit" $rc 1
if [[ $out == *initialized* ]]; then pass "check-memory reason: $out"; else fail "check-memory: $out"; fi
tdxctl check-memory 0x10000000 16M >/dev/null 2>&1
expect_eq "tdxctl check-memory of boot RAM exit" $? 0
out=$(busctl call "${TDXD_BUS[@]}" CheckMemoryRange tt 4096 0 2>&1)
if [[ $out == *InvalidRange* || $out == *"nvalid"* ]]; then pass "zero size: $out"; else fail "zero size: $out"; fi
signals_stop
