# SPDX-License-Identifier: LGPL-2.1-or-later
# busctl introspect shows the whole API of org.tdxd.Tdx1(5), with its signatures.
out=$(busctl introspect org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager 2>&1) ||
	{ fail "busctl introspect: $out"; return; }
while read -r name kind sig ret; do
	[ -n "$name" ] || continue
	# A property's 4th column is its value: only methods and signals have a result there.
	if awk -v n=".$name" -v k="$kind" -v s="$sig" -v r="$ret" \
		'$1 == n && $2 == k && $3 == s && (k == "property" || $4 == r) { f = 1 } END { exit !f }' \
		<<<"$out"; then pass "$kind $name $sig $ret"
	else fail "$kind $name $sig $ret not in: $(grep -F ".$name " <<<"$out")"; fi
done <<'API'
State property s -
Ready property b -
StateReason property s -
Checks property a(sssss) -
ModuleVersion property s -
ModuleBuildDate property u -
ModuleBuildNumber property u -
ModuleMaxVCPUsPerTD property u -
MaxVCPUsPerTD property u -
TotalKeyIDs property u -
UsedKeyIDs property u -
ConvertibleMemory property a(tt) -
ConvertibleMemoryBytes property t -
GuestPhysAddrBits property u -
Packages property a(uuu) -
KVMModule property s -
KVMTDXEnabled property b -
CPUGuard property s -
MemoryGate property s -
Sources property a{ss} -
AttestationReady property b -
AttestationReason property s -
SEAMLoaderVersion property s -
ModuleUpdatesRemaining property u -
ModuleUpdate property s -
Refresh method - -
GetCapabilities method - s
CheckMemoryRange method tt bs
CheckCPUOffline method u bs
OfflineCPU method u -
EnableTDX method - -
UpdateModule method h -
CPUOfflineBlocked signal uus -
MemoryRefused signal stts -
ModuleUpdateFinished signal ssss -
API
