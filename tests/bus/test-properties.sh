#!/usr/bin/env bash
# Every property's value on several fixture hosts: held against the fixture's expected verdict
# (written from the spec next to each fixture) and against GetCapabilities, key by key.
. "$(dirname "$0")/lib.sh"

FIXTURE_LIST=${FIXTURE_LIST:-"spr-2s-v6.16-ready vendor-sysfs-metadata emr-2s-v7.1-ready bios-disabled package-offline kvm-no-tdx-in-use gnr-2s-v7.2-no-updates-left"}
first=1

for fx in $FIXTURE_LIST; do
	echo "== $fx"
	if [ "$first" = 1 ]; then
		bus_setup "$fx"
		first=0
	else
		bus_stop_daemon
		rm -rf "$ROOT"
		cp -a "$FIXTURES/$fx" "$ROOT"
		bus_start_daemon
	fi

	# All properties at once, as JSON: {"State": {"type": "s", "data": ...}, ...}
	props=$(bctl --json=short call org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		org.freedesktop.DBus.Properties GetAll s org.tdxd.Tdx1.Manager | jq '.data[0]')
	caps=$(call GetCapabilities --json=short | jq -r '.data[0]')
	n=$(jq 'length' <<<"$props")
	assert_eq 25 "$n" "$fx: GetAll returns the 25 properties of the spec"

	# Property -> the capabilities document, for every property the document carries.
	jq -n -e --argjson p "$props" --argjson c "$caps" '
		def v(n): $p[n].data;
		[
		  [v("State") == $c.state, "State"],
		  [v("Ready") == $c.ready, "Ready"],
		  [v("Ready") == (v("State") == "ready"), "Ready iff State is ready"],
		  [v("StateReason") == $c.reason, "StateReason"],
		  [(v("Checks") | map({id: .[0], category: .[1], result: .[2], summary: .[3], hint: .[4]}))
		     == $c.checks, "Checks"],
		  [v("ModuleVersion") == $c.module.version, "ModuleVersion"],
		  [v("ModuleBuildDate") == $c.module.build_date, "ModuleBuildDate"],
		  [v("ModuleBuildNumber") == $c.module.build_number, "ModuleBuildNumber"],
		  [v("ModuleMaxVCPUsPerTD") == $c.module.max_vcpus_per_td, "ModuleMaxVCPUsPerTD"],
		  [v("MaxVCPUsPerTD") == $c.max_vcpus_per_td, "MaxVCPUsPerTD"],
		  [v("TotalKeyIDs") == $c.keyids.total, "TotalKeyIDs"],
		  [v("UsedKeyIDs") == $c.keyids.used, "UsedKeyIDs"],
		  [(v("ConvertibleMemory") | map({base: .[0], size: .[1]})) == $c.convertible_memory.regions,
		     "ConvertibleMemory"],
		  [v("ConvertibleMemoryBytes") == $c.convertible_memory.bytes, "ConvertibleMemoryBytes"],
		  [v("GuestPhysAddrBits") == $c.guest_phys_addr_bits, "GuestPhysAddrBits"],
		  [(v("Packages") | map({id: .[0], cpus: .[1], online_cpus: .[2]})) == $c.packages, "Packages"],
		  [v("CPUGuard") == $c.policy.cpu_guard, "CPUGuard"],
		  [v("MemoryGate") == $c.policy.memory_gate, "MemoryGate"],
		  [v("Sources") == $c.sources, "Sources"],
		  [v("SEAMLoaderVersion") == $c.module.seamldr_version, "SEAMLoaderVersion"],
		  [v("ModuleUpdatesRemaining") == $c.module.updates_remaining, "ModuleUpdatesRemaining"],
		  [v("ModuleUpdate") == $c.module.update, "ModuleUpdate"],
		  [v("KVMModule") == "kvm_intel", "KVMModule"],
		  [v("AttestationReady") == $c.attestation.ready, "AttestationReady"],
		  [v("AttestationReason") == $c.attestation.reason, "AttestationReason"]
		] | map(select(.[0] | not) | .[1]) as $bad
		| if ($bad | length) > 0 then ("mismatch: " + ($bad | join(", ")) | halt_error(1)) else true end
	' >/dev/null || fail "$fx: properties differ from GetCapabilities"
	pass "$fx: every property equals its GetCapabilities key"

	# The fixture's expected verdict (a subset of the document; checks as id -> result).
	exp="$FIXTURES/$fx/expected.json"
	if [ -f "$exp" ]; then
		jq -n -e --argjson c "$caps" --slurpfile e "$exp" '
			($e[0] | del(.exit)) as $e
			| ($c | .checks = (.checks | map({(.id): .result}) | add)) as $c
			| def sub(a; b): if (a | type) == "object" then
				all(a | keys[]; . as $k | (b | type) == "object" and sub(a[$k]; b[$k]))
			  else a == b end;
			sub($e; $c)' >/dev/null ||
			fail "$fx: daemon's capabilities differ from expected.json: $(jq -c . <<<"$caps")"
		pass "$fx: the daemon's view matches the fixture's expected verdict"
	fi
	daemon_alive
done
