# SPDX-License-Identifier: LGPL-2.1-or-later
# The capabilities document (docs/readiness.md, *Capabilities document*) matches the stand-ins' parameters: module
# 1.5.06 built 20240725 #784 with max_vcpus_per_td 576, 32 KeyIDs (31 guest), the two CMRs,
# two packages of two CPUs; tdxctl status --json and GetCapabilities() agree.
doc=$(tdxctl status --json 2>&1) || { fail "tdxctl status --json: $doc"; return; }
bus=$(busctl -j call "${TDXD_BUS[@]}" GetCapabilities | jq -r '.data[0]')
jqe() { # WHAT FILTER EXPECTED-JSON
	local got
	got=$(jq -c "$2" <<<"$doc" 2>&1)
	expect_eq "$1" "$got" "$3"
}
jqe schema .schema '"tdxd.capabilities.v1"'
jqe state .state '"ready"'
jqe ready .ready true
jqe "module" .module '{"version":"1.5.06","build_date":20240725,"build_number":784,"max_vcpus_per_td":576,"seamldr_version":"","updates_remaining":4294967295,"update":"unsupported"}'
jqe "keyids" .keyids '{"total":31,"used":0,"free":31}'
jqe "convertible memory" .convertible_memory \
	'{"bytes":2414870528,"regions":[{"base":1048576,"size":2146435072},{"base":4294967296,"size":268435456}]}'
jqe "packages" .packages '[{"id":0,"cpus":2,"online_cpus":2},{"id":1,"cpus":2,"online_cpus":2}]'
jqe "policy" .policy '{"cpu_guard":"enforce","memory_gate":"enforce"}'
# No /dev/kvm with TDX here: KVM's own rule, min(KVM_MAX_VCPUS, present CPUs).
jqe "max_vcpus_per_td (KVM)" .max_vcpus_per_td 4
# No "vmx flags" line under TCG: unknown.
jqe "guest_phys_addr_bits" .guest_phys_addr_bits 0
for c in cpu-vendor bios-tdx keyids kvm-module kvm-tdx module-init max-vcpus cpu-packages; do
	jqe "check $c" "[.checks[] | select(.id == \"$c\") | .result]" '["pass"]'
done
jqe "TotalKeyIDs source" .sources.TotalKeyIDs '"/sys/firmware/tdx/keyid_num"'
# Two calls, two documents: everything but the time each was made is the same.
expect_eq "GetCapabilities = tdxctl status --json" "$(jq -cS 'del(.generated_usec)' <<<"$bus")" \
	"$(jq -cS 'del(.generated_usec)' <<<"$doc")"
jqe "host kernel" .host.kernel "\"$(uname -r)\""
jqe "host boot_id" .host.boot_id "\"$(cat /proc/sys/kernel/random/boot_id)\""
