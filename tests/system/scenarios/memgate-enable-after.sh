# SPDX-License-Identifier: LGPL-2.1-or-later
# The limit of any memory gate with an auto-online rule: memory34 (outside the CMRs) was online
# for a moment before tdxd offlined it again, and memory once onlined stays in memblock, so it
# is part of the TDX memory the module is asked to cover (kernel-interfaces.md 9.2, point 5):
# enabling TDX now fails at TDH.SYS.CONFIG, and tdxd says so with a hint.
dmesg_mark
out=$(tdxctl enable 2>&1); rc=$?
note "tdxctl enable: exit $rc: $out"
if wait_state failed 60; then pass "State failed"; else fail "State: $(prop State)"; fi
expect_log "kernel refuses non-convertible TDX memory" "virt/tdx: SEAMCALL (0x000000000000002d) failed: 0xc000082100000000"
expect_log "initialization failed" "virt/tdx: module initialization failed (-5)"
check=$(prop Checks | jq -c '.[] | select(.[0] == "module-init")')
expect_eq "module-init result" "$(jq -r '.[2]' <<<"$check")" fail
if [[ $(jq -r '.[4]' <<<"$check") == *onvertible* ]]; then pass "hint names convertible memory: $(jq -r '.[4]' <<<"$check")"
else fail "module-init hint: $(jq -r '.[4]' <<<"$check")"; fi
