# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest looks like a 2-socket TDX host: the core stand-in was loaded at boot and shows the
# docs/kernel-interfaces.md log lines and /sys/firmware/tdx files, byte for byte.
# The runner itself is part of the boot transaction, so the system is still "starting".
expect_eq "multi-user.target" "$(systemctl is-active multi-user.target)" active
note "failed units: $(systemctl list-units --failed --no-legend --plain | tr '\n' ' ')"
if [ -d /sys/module/tdx_core_sim ]; then pass "tdx_core_sim loaded at boot"; else fail "tdx_core_sim not loaded"; fi
expect_eq "/proc/cmdline has nohibernate" "$(grep -ow nohibernate /proc/cmdline)" nohibernate
expect_eq "CPU vendor" "$(sed -n 's/^vendor_id[[:space:]]*: //p' /proc/cpuinfo | sort -u)" GenuineIntel
if grep -qw hypervisor /proc/cpuinfo; then fail "cpuinfo has the hypervisor flag"; else pass "no hypervisor flag"; fi

# Two packages of two CPUs, one NUMA node each.
for c in 0 1 2 3; do
	expect_eq "cpu$c package" "$(cat /sys/devices/system/cpu/cpu$c/topology/physical_package_id)" $((c / 2))
done
expect_eq "node0 cpulist" "$(cat /sys/devices/system/node/node0/cpulist)" 0-1
expect_eq "node1 cpulist" "$(cat /sys/devices/system/node/node1/cpulist)" 2-3
expect_eq "auto_online_blocks" "$(cat /sys/devices/system/memory/auto_online_blocks)" offline
expect_eq "block_size_bytes" "$(cat /sys/devices/system/memory/block_size_bytes)" 8000000

# Boot log (docs/kernel-interfaces.md, *Boot-time detection* and *CMR lines*).
SYS_DMESG_MARK=0
expect_log "KeyIDs" "virt/tdx: BIOS enabled: private KeyID range [32, 64)"
expect_log "S3" "virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3."
expect_log "module info" "virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5, build_date 20240725, build_num 784"
expect_log "CMR 0" "virt/tdx: CMR: [0x100000, 0x80000000)"
expect_log "CMR 1" "virt/tdx: CMR: [0x100000000, 0x110000000)"
expect_no_log "not initialized at boot (v6.16-v7.0)" "module initialized|allocated for PAMT"

# Vendor sysfs (docs/kernel-interfaces.md, *Vendor firmware directory*): no trailing newlines.
t=/sys/firmware/tdx
expect_file_exact "keyid_num" $t/keyid_num 0x00000020
expect_file_exact "status" $t/tdx_module/status unknown
expect_file_exact "major_version" $t/tdx_module/major_version 0x00000001
expect_file_exact "minor_version" $t/tdx_module/minor_version 0x00000005
expect_file_exact "vendor_id" $t/tdx_module/vendor_id 0x00008086
expect_file_exact "attributes" $t/tdx_module/attributes 0x00000000
expect_file_exact "build_num" $t/tdx_module/build_num 0x00000310
expect_file_exact "build_date" $t/tdx_module/build_date 20240725

# Metadata binaries: little-endian, element size from bits 33:32 of the field id.
md=$t/tdx_module/metadata
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
expect_eq "NUM_CMRS (u16)" "$(hex $md/9000000100000000)" 0200
expect_eq "CMR_BASE (u64[])" "$(hex $md/9000000300000080)" 00001000000000000000000001000000
expect_eq "CMR_SIZE (u64[])" "$(hex $md/9000000300000100)" 0000f07f000000000000001000000000
expect_eq "MAX_VCPUS_PER_TD (u16)" "$(hex $md/9900000100000008)" 4002
expect_eq "major_version (u16)" "$(hex $md/0800000100000004)" 0100
expect_eq "minor_version (u16)" "$(hex $md/0800000100000003)" 0500
expect_eq "update_version (u16)" "$(hex $md/0800000100000005)" 0600
