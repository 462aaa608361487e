# SPDX-License-Identifier: LGPL-2.1-or-later
# A TDX module initialization failure (injected TDH.SYS.CONFIG error): the v6.16-v7.0 lines,
# the KVM load fails with -EIO, the hotplug state is removed, the failure is one-shot (a retry
# gets EINVAL, silently) and the module still loads without TDX. Runs either first (it makes
# the failing load itself) or after tdxd-initfail, where tdxd made that load.
status=/sys/firmware/tdx/tdx_module/status
p=/sys/module/tdx_kvm_sim/parameters/tdx
if [ "$(cat $status)" = unknown ]; then
	echo 45 >/sys/module/tdx_core_sim/parameters/inject_seamcall	# TDH.SYS.CONFIG
	dmesg_mark
	expect_errno "modprobe tdx_kvm_sim tdx=1" "Input/output error" modprobe tdx_kvm_sim tdx=1
	if [ -e /sys/module/tdx_kvm_sim ]; then fail "tdx_kvm_sim stayed loaded"; else pass "tdx_kvm_sim not loaded"; fi
else
	note "the failing load was tdxd's (tdxd-initfail)"
	journal_mark; SYS_JOURNAL_SINCE=0
	expect_journal "tdxd saw the kernel's EIO" 'tdx_kvm_sim with tdx=1 failed' 'Input/output error'
	SYS_DMESG_MARK=0
fi
new=$(dmesg_new | grep '^virt/tdx: ' | grep -vE 'BIOS enabled|ACPI S3|TDX module:|CMR:')
expect_eq "log" "$(echo "$new" | tr '\n' '|')" "virt/tdx: SEAMCALL (0x000000000000002d) failed: 0xc000010000000000|virt/tdx: module initialization failed (-5)|"
expect_file_exact "module status" $status error
if grep -q 'kvm/cpu/tdx:online' /sys/devices/system/cpu/hotplug/states; then fail "hotplug state left behind"; else pass "hotplug state removed"; fi

echo 0 >/sys/module/tdx_core_sim/parameters/inject_seamcall
[ -e /sys/module/tdx_kvm_sim ] && rmmod tdx_kvm_sim
dmesg_mark
expect_errno "another modprobe tdx=1 (one-shot)" "Invalid argument" modprobe tdx_kvm_sim tdx=1
expect_no_log "retry is silent" "^virt/tdx: "
if out=$(modprobe tdx_kvm_sim tdx=0 2>&1); then pass "loads without TDX"; else fail "modprobe tdx=0: $out"; fi
expect_eq "tdx parameter" "$(cat $p)" N
