# SPDX-License-Identifier: LGPL-2.1-or-later
# memory34 (outside the CMRs) was hot-added by memgate-before-init; tdxd offlined it again, but
# hot-added memory joins memblock when it is added, online or not (add_memory_resource() with
# ARCH_KEEP_MEMBLOCK, which INTEL_TDX_HOST selects), and the initialization takes all of
# memblock: it would fail at TDH.SYS.CONFIG, for good until reboot (the stand-in would fail it
# too: memory34 was online for a moment). tdxd refuses to enable TDX instead, names the memory
# and says what to remove; nothing is loaded, nothing is lost.
check=$(prop Checks | jq -c '.[] | select(.[0] == "convertible-memory")')
if [[ $(jq -r '.[2]' <<<"$check") == warn && $(jq -r '.[3]' <<<"$check") == *memory34* ]]; then
	pass "convertible-memory warns about memory34: $check"; else fail "convertible-memory: $check"; fi
dmesg_mark
out=$(tdxctl enable 2>&1); rc=$?
expect_eq "tdxctl enable exit" $rc 1
if [[ $out == *"memory outside the convertible memory regions is present"* ]]; then
	pass "tdxctl enable refuses: $out"; else fail "tdxctl enable: $out"; fi
if wait_state failed 60; then pass "State failed"; else fail "State: $(prop State)"; fi
reason=$(prop StateReason)
if [[ $reason == *memory34* ]]; then pass "StateReason names memory34: $reason"; else
	fail "StateReason: $reason"; fi
expect_no_log "no initialization was attempted" 'virt/tdx: (SEAMCALL|module initialization failed)'
if [ "$(cat /sys/module/tdx_kvm_sim/parameters/tdx 2>/dev/null)" = Y ]; then
	fail "tdx_kvm_sim got loaded with tdx=1"; else pass "tdx_kvm_sim not loaded with TDX"; fi
out=$(tdxctl status 2>&1)
if grep -q 'hint:.*remove that memory first' <<<"$out"; then pass "tdxctl status gives the hint"
else fail "tdxctl status: $out"; fi
