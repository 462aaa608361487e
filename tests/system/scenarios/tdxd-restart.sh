# SPDX-License-Identifier: LGPL-2.1-or-later
# systemctl restart tdxd keeps the boot-time memory map and the CPU map (cpu3 is offline since
# cpuguard-enforce, so its package is known only from the saved map), and does not reload a
# module that is already loaded with TDX (issues 4, 5, 6).
cpu=/sys/devices/system/cpu
expect_eq "cpu3 offline" "$(cat $cpu/cpu3/online)" 0
mem_before=$(cat /run/tdxd/tdx-memory 2>&1)
dmesg_mark
systemctl restart tdxd
if wait_state ready 60; then pass "ready after restart"; else fail "State after restart: $(prop State)"; fi
expect_eq "tdx-memory kept" "$(cat /run/tdxd/tdx-memory 2>&1)" "$mem_before"
if grep -qxF "3 1" /run/tdxd/cpu-package; then pass "cpu-package still has '3 1'"; else
	fail "cpu-package: $(tr '\n' ';' </run/tdxd/cpu-package)"; fi
expect_eq "Packages" "$(prop Packages)" '[[0,2,2],[1,2,1]]'
expect_no_log "no module reload" "^virt/tdx: |tdx_kvm_sim"
expect_eq "stand-in tdx parameter" "$(cat /sys/module/tdx_kvm_sim/parameters/tdx)" Y
