# SPDX-License-Identifier: LGPL-2.1-or-later
# With other stand-in parameters (groups/memgate/etc/modprobe.d), the capabilities follow them:
# 15 guest KeyIDs from [48, 64), module 1.5.24 / 20250102 / #1000, 8 vCPUs per TD. TDX is not
# enabled in this boot (EnableTDX=no): the platform facts are known all the same.
SYS_DMESG_MARK=0
expect_log "KeyIDs" "virt/tdx: BIOS enabled: private KeyID range [48, 64)"
doc=$(tdxctl status --json 2>&1) || { fail "tdxctl status --json: $doc"; return; }
jqe() { expect_eq "$1" "$(jq -c "$2" <<<"$doc" 2>&1)" "$3"; }
jqe state .state '"disabled"'
jqe "module" .module '{"version":"1.5.24","build_date":20250102,"build_number":1000,"max_vcpus_per_td":8,"seamldr_version":"","updates_remaining":4294967295,"update":"unsupported"}'
jqe "keyids.total" .keyids.total 15
jqe "max_vcpus_per_td (TDX not up)" .max_vcpus_per_td 0
jqe "check kvm-module" '[.checks[] | select(.id == "kvm-module") | .result]' '["fail"]'
