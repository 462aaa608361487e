# SPDX-License-Identifier: LGPL-2.1-or-later
# tdxd was enabled in the image (systemctl enable), started at boot, loaded the KVM stand-in
# with tdx=1 and reached "ready"; its /run/tdxd files say so (issues 4, 7, 8).
expect_eq "tdxd enabled" "$(systemctl is-enabled tdxd)" enabled
expect_eq "tdxd active" "$(systemctl is-active tdxd)" active
# Started by the boot transaction, before this runner (which is ordered after it).
t_tdxd=$(systemctl show -p ActiveEnterTimestampMonotonic --value tdxd)
t_me=$(systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target)
if [ "${t_tdxd:-0}" -gt 0 ] && [ "$t_tdxd" -le "$t_me" ]; then pass "tdxd active before multi-user.target"
else fail "tdxd started at $t_tdxd, multi-user.target at $t_me"; fi
# groups/daemon loads the stand-in without TDX before tdxd (as udev coldplug loads kvm_intel):
# tdx is 0444, so reading Y now means tdxd reloaded it.
if journalctl -b -t systemd-modules-load --no-pager -o cat | grep -qF "Inserted module 'tdx_kvm_sim'"; then
	pass "stand-in was loaded at boot before tdxd (without tdx)"
else fail "systemd-modules-load did not load tdx_kvm_sim"; fi
expect_eq "stand-in tdx parameter (reloaded by tdxd)" "$(cat /sys/module/tdx_kvm_sim/parameters/tdx 2>&1)" Y
SYS_DMESG_MARK=0
expect_log "module initialized by tdxd's load" "virt/tdx: module initialized"
if grep -qE '^ *[0-9]+: kvm/cpu/tdx:online$' /sys/devices/system/cpu/hotplug/states; then
	pass "kvm/cpu/tdx:online registered"; else fail "kvm/cpu/tdx:online missing"; fi

expect_eq "State" "$(prop State)" '"ready"'
expect_eq "Ready" "$(prop Ready)" true
expect_eq "KVMModule" "$(prop KVMModule)" '"tdx_kvm_sim"'
expect_eq "KVMTDXEnabled" "$(prop KVMTDXEnabled)" true
status=$(systemctl show -p StatusText --value tdxd)
if [ -n "$status" ]; then pass "sd_notify STATUS: $status"; else fail "tdxd sent no STATUS="; fi

out=$(tdxctl status 2>&1); rc=$?
expect_eq "tdxctl status exit" "$rc" 0
if grep -qE '^ *State: +ready' <<<"$out"; then pass "tdxctl status says ready"; else
	fail "tdxctl status: $out"; fi

r=/run/tdxd
for kv in TDX_ENABLED=1 MODULE_INITIALIZED=1 KVM_MODULE=tdx_kvm_sim CPU_GUARD=enforce \
	MEMORY_GATE=enforce "BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)"; do
	if grep -qxF "$kv" $r/state 2>/dev/null; then pass "$r/state has $kv"; else
		fail "$r/state lacks $kv: $(tr '\n' ' ' <$r/state 2>&1)"; fi
done
for cp in "0 0" "1 0" "2 1" "3 1"; do
	if grep -qxF "$cp" $r/cpu-package 2>/dev/null; then pass "cpu-package has '$cp'"; else
		fail "cpu-package lacks '$cp': $(tr '\n' ';' <$r/cpu-package 2>&1)"; fi
done
# The memory present at initialization covers all boot RAM above 1 MiB.
covers=0
while read -r a b; do
	[[ $a == 0x* && $b == 0x* ]] && ((a <= 0x100000 && b >= 0x7ffe0000)) && covers=1
done <$r/tdx-memory
if [ $covers = 1 ]; then pass "tdx-memory covers boot RAM"; else
	fail "tdx-memory: $(tr '\n' ';' <$r/tdx-memory 2>&1)"; fi
# The hardened unit (issue 8) is the one that did all this.
expect_eq "NoNewPrivileges" "$(systemctl show -p NoNewPrivileges --value tdxd)" yes
expect_eq "ProtectSystem" "$(systemctl show -p ProtectSystem --value tdxd)" strict
expect_eq "CapabilityBoundingSet" "$(systemctl show -p CapabilityBoundingSet --value tdxd)" "cap_sys_module cap_syslog"
note "$(systemd-analyze security tdxd.service 2>&1 | tail -n 1)"
errs=$(journalctl -b -u tdxd -p err --no-pager -o cat)
[ -z "$errs" ] || note "tdxd logged errors: $errs"
