#!/usr/bin/env bash
# A dax device that exists before tdxd starts gets no event: tdxd judges it at start (and again
# when the basis of the verdict changes), so the operator learns before running
# `daxctl reconfigure-device --mode=system-ram` that its memory would be refused.
. "$(dirname "$0")/lib.sh"

bus_setup cxl-dax-refused
wait_for grep -q "Memory gate: dax0.0 \[0x10000000000, 0x11000000000) (64 GiB) was added after" \
	"$WORK/tdxd.log" || fail "no verdict for dax0.0 at start"
pass "dax0.0, present at start, is judged and logged"
assert_eq 1 "$(grep -c 'Memory gate: dax0.0' "$WORK/tdxd.log")" "judged once, not on every probe"
call Refresh >/dev/null
sleep 1.1
call Refresh >/dev/null
assert_eq 1 "$(grep -c 'Memory gate: dax0.0' "$WORK/tdxd.log")" "re-probes do not repeat the verdict"
