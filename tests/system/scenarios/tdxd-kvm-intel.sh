# SPDX-License-Identifier: LGPL-2.1-or-later
# KVMModule=kvm_intel (groups/daemon-fail), the real module of this 6.1 kernel. Issue 7 asks for
# "failed, no hardware support" here, but this kvm_intel has no tdx parameter, and the spec
# (which wins) makes that the kernel-tdx check failing, State "disabled", nothing loaded:
# enabling TDX through a module without TDX support is not attempted. The kernel's own
# "no hardware support" refusal is asserted by kvm-intel-nohw (group kernel).
if wait_state disabled 60; then pass "State disabled"; else fail "State: $(prop State)"; fi
reason=$(prop StateReason)
if [[ $reason == *"tdx parameter"* || $reason == *"TDX support"* ]]; then pass "StateReason: $reason"
else fail "StateReason: $reason"; fi
check=$(prop Checks | jq -c '.[] | select(.[0] == "kernel-tdx")')
expect_eq "kernel-tdx check result" "$(jq -r '.[2]' <<<"$check")" fail
if [ -e /sys/module/kvm_intel ]; then fail "kvm_intel got loaded"; else pass "kvm_intel not loaded"; fi
out=$(tdxctl status 2>&1); rc=$?
expect_eq "tdxctl status exit" $rc 0
if grep -qE '^ *State: +disabled' <<<"$out"; then pass "tdxctl status says disabled"; else
	fail "tdxctl status: $out"; fi

# Whoever loads the real module on this CPU without VMX (udev's coldplug, an operator), the
# kernel refuses it; docs/readiness.md, *State rule* 3 makes that a failed bring-up, told in the kernel's words.
dmesg_mark
if modprobe kvm_intel 2>/dev/null; then fail "modprobe kvm_intel succeeded without VMX"; else
	pass "modprobe kvm_intel refused by the kernel"; fi
expect_log "kernel line" "kvm: no hardware support for 'kvm_intel'"
busctl call "${TDXD_BUS[@]}" Refresh >/dev/null 2>&1
if wait_state failed 30; then pass "State failed after the real load failed"; else fail "State: $(prop State)"; fi
reason=$(prop StateReason)
if [[ $reason == *"no hardware support for 'kvm_intel'"* ]]; then pass "StateReason quotes the kernel: $reason"
else fail "StateReason: $reason"; fi
out=$(tdxctl status 2>&1)
if grep -q 'hint:.*VT-x' <<<"$out"; then pass "tdxctl status gives the VT-x hint"; else
	fail "tdxctl status: $out"; fi
