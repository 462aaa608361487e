# SPDX-License-Identifier: LGPL-2.1-or-later
# Loading the KVM stand-in with tdx=1 initializes the TDX module with the v6.16-v7.0 lines,
# its tdx parameter reads Y and the hotplug state is registered. Loaded without tdx it says N.
p=/sys/module/tdx_kvm_sim/parameters/tdx
states=/sys/devices/system/cpu/hotplug/states
dmesg_mark
if out=$(modprobe tdx_kvm_sim 2>&1); then pass "modprobe tdx_kvm_sim (no tdx)"; else fail "modprobe tdx_kvm_sim: $out"; fi
expect_eq "tdx parameter without tdx=1" "$(cat $p)" N
if grep -qE '^ *[0-9]+: kvm/cpu/tdx:online$' $states; then fail "hotplug state registered without tdx"; else pass "no hotplug state without tdx"; fi
expect_eq "tdx parameter mode" "$(stat -c %a $p)" 444
rmmod tdx_kvm_sim

dmesg_mark
if out=$(modprobe tdx_kvm_sim tdx=1 2>&1); then pass "modprobe tdx_kvm_sim tdx=1"; else fail "modprobe tdx_kvm_sim tdx=1: $out"; fi
expect_eq "tdx parameter" "$(cat $p)" Y
new=$(dmesg_new | grep '^virt/tdx: ')
if [ "$(echo "$new" | wc -l)" = 2 ] &&
	echo "$new" | head -n1 | grep -qxE 'virt/tdx: [0-9]+ KB allocated for PAMT' &&
	[ "$(echo "$new" | tail -n1)" = "virt/tdx: module initialized" ]; then
	pass "log: '$(echo "$new" | tr '\n' '|')'"
else fail "log after tdx=1 load: '$(echo "$new" | tr '\n' '|')'"; fi
if grep -qE '^ *[0-9]+: kvm/cpu/tdx:online$' $states; then pass "hotplug state kvm/cpu/tdx:online listed"; else
	fail "kvm/cpu/tdx:online missing from $states"; fi
expect_file_exact "module status" /sys/firmware/tdx/tdx_module/status initialized

# One-shot: a reload does not initialize again (and prints nothing).
rmmod tdx_kvm_sim
dmesg_mark
if out=$(modprobe tdx_kvm_sim tdx=1 2>&1); then pass "reload with tdx=1"; else fail "reload with tdx=1: $out"; fi
expect_eq "tdx parameter after reload" "$(cat $p)" Y
expect_no_log "reload is silent" "^virt/tdx: "
