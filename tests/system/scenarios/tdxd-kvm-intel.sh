# SPDX-License-Identifier: LGPL-2.1-or-later
# KVMModule=kvm_intel (groups/daemon-fail) on a CPU without VMX: tdxd ends "failed" with the
# kernel's "no hardware support" (issues 4, 7).
if wait_state failed 60; then pass "State failed"; else fail "State: $(prop State)"; fi
reason=$(prop StateReason)
if [[ $reason == *"no hardware support"* ]]; then pass "StateReason: $reason"; else fail "StateReason: $reason"; fi
out=$(tdxctl status 2>&1)
if [[ $out == *"no hardware support"* ]]; then pass "tdxctl status says no hardware support"; else
	fail "tdxctl status: $out"; fi
