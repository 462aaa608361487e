# SPDX-License-Identifier: LGPL-2.1-or-later
# An injected TDX module initialization failure (TDH.SYS.CONFIG) at tdxd's load: State failed,
# the module-init check quotes the kernel's line with a hint, the fallback loads the module
# without TDX, and EnableTDX() answers NotSupported (one-shot until reboot) (issue 4).
printf '[Manager]\nKVMModule=tdx_kvm_sim\n' >/etc/tdxd/tdxd.conf
echo 45 >/sys/module/tdx_core_sim/parameters/inject_seamcall
dmesg_mark
systemctl restart tdxd
if wait_state failed 60; then pass "State failed"; else fail "State: $(prop State)"; fi
expect_log "kernel line" "virt/tdx: module initialization failed (-5)"
check=$(prop Checks | jq -c '.[] | select(.[0] == "module-init")')
if [[ $(jq -r '.[2]' <<<"$check") == fail && $(jq -r '.[3]' <<<"$check") == *"initialization failed"* ]]; then
	pass "module-init check: $check"; else fail "module-init check: $check"; fi
if [ -n "$(jq -r '.[4]' <<<"$check")" ]; then pass "module-init has a hint"; else fail "module-init hint empty"; fi
expect_eq "fallback: stand-in loaded without TDX" "$(cat /sys/module/tdx_kvm_sim/parameters/tdx 2>&1)" N
out=$(busctl call "${TDXD_BUS[@]}" EnableTDX 2>&1)
if [[ $out == *NotSupported* || $out == *reboot* ]]; then pass "EnableTDX(): $out"; else fail "EnableTDX(): $out"; fi
