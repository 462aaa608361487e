#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The stand-in modules are only as true as their messages: this builds them and checks that
# every kernel line they print is in the .ko exactly as docs/kernel-interfaces.md gives it (log
# level, prefix and format), and that the tdx parameter is a bool. Each format is also looked
# up in docs/kernel-interfaces.md (TDXD_SPEC_DIR overrides the folder), so a typo in this list
# cannot hide.
#
# usage: check-kmod-strings.sh --work DIR     exit 0 ok, 1 drift, 77 no headers (skipped)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=""
[ "${1:-}" = --work ] && work=$2
[ -n "$work" ] || sys_die "usage: check-kmod-strings.sh --work DIR"
command -v make >/dev/null || sys_skip "make is not installed"
sys_pick_kernel || sys_skip "apt does not know linux-image-cloud-amd64 (no mirror)"
sys_need_headers || sys_skip "cannot install linux-headers-$SYS_KVER"
sys_build_kmod "$here/kmod" "$work/kmod" || sys_die "building the stand-in modules failed"

spec=${TDXD_SPEC_DIR:-$here/../../docs}/kernel-interfaces.md
[ -r "$spec" ] || { sys_log "note: $spec not found, formats not cross-checked with it"; spec=""; }

bad=0
declare -A hex
hex[tdx_core_sim]=$(od -An -v -tx1 "$work/kmod/tdx_core_sim.ko" | tr -d ' \n')
hex[tdx_kvm_sim]=$(od -An -v -tx1 "$work/kmod/tdx_kvm_sim.ko" | tr -d ' \n')

# expect MODULE LEVEL PREFIX FORMAT [SPEC-TEXT...]: the printk string "\001LEVEL" PREFIX FORMAT
# "\n" is in the module; each SPEC-TEXT (default: the format) is in docs/kernel-interfaces.md.
expect() {
	local mod=$1 level=$2 prefix=$3 fmt=$4 want t
	shift 4
	want=$(printf '\001%s%s%s\n' "$level" "$prefix" "$fmt" | od -An -v -tx1 | tr -d ' \n')
	# Byte pairs must line up: a match at an odd offset is not a match.
	if [[ ${hex[$mod]} =~ ^(..)*$want ]]; then
		echo "ok   $mod: <$level>$prefix$fmt"
	else
		echo "FAIL $mod: <$level>$prefix$fmt is not in $mod.ko"
		bad=1
	fi
	[ -n "$spec" ] || return 0
	[ $# -gt 0 ] || set -- "$fmt"
	for t in "$@"; do
		if ! grep -F -- "$t" "$spec" >/dev/null; then
			echo "FAIL $mod: '$t' does not appear in $spec"
			bad=1
		fi
	done
}

# KERN_ERR 3, KERN_WARNING 4, KERN_INFO 6: the levels of the real pr_err/pr_warn/pr_info.
c=tdx_core_sim p="virt/tdx: "
expect $c 6 "$p" "BIOS enabled: private KeyID range [%u, %u)"
expect $c 3 "$p" "initialization failed: too few private KeyIDs available."
expect $c 3 "$p" "initialization failed: register_memory_notifier() failed (%d)"
expect $c 6 "$p" "Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3."
# The spec quotes this vendor line only as an example: the format is checked against it.
expect $c 6 "$p" "TDX module: attributes 0x%x, vendor_id 0x%x, major_version %u, minor_version %u, build_date %u, build_num %u" \
	"virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5, build_date 20240725, build_num 784"
expect $c 6 "$p" "CMR: [0x%llx, 0x%llx)"
expect $c 3 "$p" "SEAMCALL (0x%016llx) failed: 0x%016llx"
expect $c 6 "$p" "%lu KB allocated for PAMT"
expect $c 6 "$p" "module initialized"
expect $c 3 "$p" "module initialization failed (%d)"

k=tdx_kvm_sim p="tdx_kvm_sim: "
expect $k 3 "$p" "tdx: no TDX private KeyIDs available"
expect $k 3 "$p" "Disable TDX: MAX_VCPU_PER_TD (%u) smaller than number of logical CPUs (%u)."
# The spec quotes the C source, where the message is two string literals.
expect $k 4 "$p" "TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package." \
	'"TDX requires all packages to have an online CPU. "' \
	'"Delete all TDs in order to offline all CPUs of a package.\n"' 

# Names and sysfs formats that are not printk lines.
core_strings=$(strings -a "$work/kmod/$c.ko")
kvm_strings=$(strings -a "$work/kmod/$k.ko")
for s in "k kvm/cpu/tdx:online" "c 0x%08x" "c unknown" "c initialized" "c error" "c %016llx"; do
	if [ "${s%% *}" = k ]; then all=$kvm_strings; else all=$core_strings; fi
	s=${s#* }
	if grep -xF -- "$s" <<<"$all" >/dev/null; then echo "ok   string '$s'"; else
		echo "FAIL string '$s' not in the module"; bad=1; fi
done
# The SGX stand-in prints nothing; its misc devices carry the real driver's names (both the
# device name and the node name devtmpfs uses).
sgx_strings=$(strings -a "$work/kmod/sgx_sim.ko")
for s in sgx_enclave sgx_provision; do
	if grep -xF -- "$s" <<<"$sgx_strings" >/dev/null; then echo "ok   sgx_sim device '$s'"; else
		echo "FAIL sgx_sim: device name '$s' not in the module"; bad=1; fi
done
if nm -u "$work/kmod/sgx_sim.ko" | grep -q printk; then
	echo "FAIL sgx_sim calls printk: it must stay silent"; bad=1
else echo "ok   sgx_sim prints nothing (no printk import)"; fi
# The v7.2 tdx_host device and its firmware-upload files (tdx_fwupload_sim): the kernel's
# status and error words and the version format are sysfs text, not printk lines. Each is in
# the module as a whole string and, where the spec quotes it, in the spec too.
fw_strings=$(strings -a "$work/kmod/tdx_fwupload_sim.ko")
for s in idle receiving preparing transferring programming firmware-invalid hw-error \
	flash-wearout "%s:%s" "%u.%u.%02u" tdx_host tdx_module firmware faux; do
	if grep -xF -- "$s" <<<"$fw_strings" >/dev/null; then echo "ok   tdx_fwupload_sim string '$s'"; else
		echo "FAIL tdx_fwupload_sim: string '$s' not in the module"; bad=1; fi
done
# "TDX-BLOB" is compared as 8 bytes (memcmp), so it has no terminating NUL of its own.
if grep -F -- TDX-BLOB <<<"$fw_strings" >/dev/null; then echo "ok   tdx_fwupload_sim signature 'TDX-BLOB'"; else
	echo "FAIL tdx_fwupload_sim: 'TDX-BLOB' not in the module"; bad=1; fi
if [ -n "$spec" ]; then
	for t in '`idle`, `receiving`, `preparing`, `transferring`, `programming`' \
		"preparing:firmware-invalid" "programming:hw-error" '"%u.%u.%02u\n"' TDX-BLOB \
		"/sys/class/firmware/tdx_module" \
		seamldr_version num_remaining_updates; do
		if grep -F -- "$t" "$spec" >/dev/null; then echo "ok   spec has '$t'"; else
			echo "FAIL tdx_fwupload_sim: '$t' does not appear in $spec"; bad=1; fi
	done
fi

# The parameter: bool, mode 0444 is checked in the guest (kvm-sim-init); here its type.
if grep -x tdx:bool <<<"$(modinfo -F parmtype "$work/kmod/$k.ko")" >/dev/null; then echo "ok   parmtype tdx:bool"
else echo "FAIL $k.ko: tdx is not a bool parameter"; bad=1; fi

exit $bad
