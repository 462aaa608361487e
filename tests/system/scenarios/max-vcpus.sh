# SPDX-License-Identifier: LGPL-2.1-or-later
# The TDX module allows fewer vCPUs per TD than the host has logical CPUs (groups/kvm-policy:
# max_vcpus_per_td=2, 4 CPUs present). After operator-blacklist, the operator follows tdxd's
# hint: removes the modprobe.d line and runs tdxctl enable. KVM (v6.16-v7.0) initializes the
# TDX module, then refuses TDX and fails its own load with -EINVAL after printing
# "Disable TDX: MAX_VCPU_PER_TD (2) smaller than number of logical CPUs (4)." State failed,
# max-vcpus fails quoting that line with a hint, the fallback loads the module without TDX.
line="tdx_kvm_sim: Disable TDX: MAX_VCPU_PER_TD (2) smaller than number of logical CPUs (4)."
expect_eq "present CPUs" "$(nproc --all)" 4
expect_eq "module metadata MAX_VCPUS_PER_TD (u16, little endian)" \
	"$(od -An -v -tx1 /sys/firmware/tdx/tdx_module/metadata/9900000100000008 | tr -d ' \n')" 0200
expect_eq "ModuleMaxVCPUsPerTD before the load" "$(prop ModuleMaxVCPUsPerTD)" 2
check=$(prop Checks | jq -c '.[] | select(.[0] == "max-vcpus")')
if [[ $(jq -r '.[2]' <<<"$check") == fail ]]; then pass "max-vcpus fails before the load: $check"
else fail "max-vcpus before the load: $check"; fi

rm -f /etc/modprobe.d/tdx-kvm-sim-off.conf /etc/modprobe.d/tdx-kvm-sim-blacklist.conf
dmesg_mark
out=$(tdxctl enable 2>&1); rc=$?
if [ $rc -ne 0 ]; then pass "tdxctl enable fails: $out"; else fail "tdxctl enable succeeded: $out"; fi
if wait_state failed 60; then pass "State failed"; else fail "State: $(prop State)"; fi
expect_eq "Ready" "$(prop Ready)" false
expect_log "KVM refused TDX" "$line"
expect_log "the TDX module itself initialized first" "virt/tdx: module initialized"
expect_file_exact "core status" /sys/firmware/tdx/tdx_module/status initialized
check=$(prop Checks | jq -c '.[] | select(.[0] == "max-vcpus")')
if [[ $(jq -r '.[2]' <<<"$check") == fail && $(jq -r '.[3]' <<<"$check") == *"${line#tdx_kvm_sim: }"* ]]; then
	pass "max-vcpus fails quoting the kernel: $check"; else fail "max-vcpus check: $check"; fi
if [ -n "$(jq -r '.[4]' <<<"$check")" ]; then pass "max-vcpus has a hint"; else fail "max-vcpus hint empty"; fi
reason=$(prop StateReason)
if [[ $reason == *vCPU* || $reason == *MAX_VCPU* ]]; then pass "StateReason: $reason"; else
	fail "StateReason does not mention the vCPU limit: $reason"; fi
expect_eq "MaxVCPUsPerTD (TDX not up)" "$(prop MaxVCPUsPerTD)" 0
expect_eq "KVMTDXEnabled" "$(prop KVMTDXEnabled)" false
expect_eq "fallback: stand-in loaded without TDX" "$(cat /sys/module/tdx_kvm_sim/parameters/tdx 2>&1)" N
if grep -qE ' kvm/cpu/tdx:online$' /sys/devices/system/cpu/hotplug/states; then
	fail "kvm/cpu/tdx:online still registered"; else pass "no kvm/cpu/tdx:online state"; fi
out=$(tdxctl status 2>&1)
if grep -qF "MAX_VCPU_PER_TD (2)" <<<"$out" && grep -q 'hint:' <<<"$out"; then
	pass "tdxctl status quotes the kernel and hints"; else fail "tdxctl status: $(tr '\n' '|' <<<"$out")"; fi
# Loading again cannot help: the module and the CPUs are the same until reboot or BIOS update.
out=$(busctl call "${TDXD_BUS[@]}" EnableTDX 2>&1); rc=$?
if [ $rc -ne 0 ]; then pass "EnableTDX() again refused: $out"; else fail "EnableTDX() again: $out"; fi
expect_eq "State after the retry" "$(prop State)" '"failed"'
