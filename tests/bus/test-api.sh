#!/usr/bin/env bash
# Methods, their errors and their results; Refresh and PropertiesChanged; UsedKeyIDs read
# fresh; bad input (arguments, config lines, kernel files) never stops the daemon.
. "$(dirname "$0")/lib.sh"

nfd=/etc/kubernetes/node-feature-discovery/features.d/tdxd
bus_setup spr-2s-v6.16-ready --config "$(printf '[Manager]\nCPUGuard=bogus\nNoSuchKey=1\nMemoryGate=warn\nNFDFeatureFile=%s' "$nfd")"

# Config problems are reported with file:line, the rest of the file still applies.
grep -q 'tdxd.conf:2' "$WORK/tdxd.log" || fail "bad CPUGuard value not reported with file:line"
grep -q 'tdxd.conf:3' "$WORK/tdxd.log" || fail "unknown key not reported with file:line"
assert_eq enforce "$(prop CPUGuard)" "a bad CPUGuard value keeps the default"
assert_eq warn "$(prop MemoryGate)" "the good lines of a config with bad lines still apply"

# NFDFeatureFile: the NFD local feature file, below the root under --root.
grep -qx 'tdxd.tdx.ready=true' "$ROOT$nfd" || fail "NFD feature file: $(cat "$ROOT$nfd" 2>&1)"
grep -qx 'tdxd.tdx.keyids-total=31' "$ROOT$nfd" || fail "NFD feature file lacks keyids-total=31"
pass "NFD feature file written"

# GetCapabilities: the JSON document.
caps=$(call GetCapabilities --json=short | jq -r '.data[0]')
assert_eq tdxd.capabilities.v1 "$(jq -r .schema <<<"$caps")" "GetCapabilities schema"
assert_eq "$(prop State)" "$(jq -r .state <<<"$caps")" "GetCapabilities state equals State"

# CheckMemoryRange: a verdict, or InvalidRange.
out=$(call CheckMemoryRange tt 0x100000000 0x8000000)
assert_match '^bs (true|false) ".+"$' "$out" "CheckMemoryRange answers (allowed, reason)"
expect_error org.tdxd.Tdx1.Error.InvalidRange CheckMemoryRange uint64:4096 uint64:0
expect_error org.tdxd.Tdx1.Error.InvalidRange CheckMemoryRange uint64:0xffffffffffff0000 uint64:0x20000
# the last byte of the address space is a valid (if not eligible) range
call CheckMemoryRange tt 0xffffffffffffffff 1 >/dev/null || fail "[2^64-1, 2^64) refused as invalid"
pass "a range ending exactly at 2^64 is valid"

# The error names, as a client sees them.
expect_error org.tdxd.Tdx1.Error.NoSuchCPU CheckCPUOffline uint32:99999
expect_error org.tdxd.Tdx1.Error.NoSuchCPU OfflineCPU uint32:99999
err=$(call CheckCPUOffline u 99999 2>&1) && fail "CPU 99999 accepted"
assert_match '99999' "$err" "the NoSuchCPU message names the CPU"

# Malformed calls: wrong signature, unknown method. The daemon keeps serving.
expect_error org.freedesktop.DBus.Error.InvalidArgs CheckCPUOffline string:foo
expect_error org.freedesktop.DBus.Error.InvalidArgs CheckMemoryRange uint64:1
expect_error org.freedesktop.DBus.Error.UnknownMethod NoSuchMethod
daemon_alive
pass "malformed calls are refused and the daemon keeps serving"

# tdxctl against the daemon.
out=$(tctl status)
assert_match '^ *State: ' "$out" "tdxctl status shows State"
assert_match 'KeyIDs: ' "$out" "tdxctl status shows KeyIDs"
tctl status --json | jq -e '.schema == "tdxd.capabilities.v1"' >/dev/null ||
	fail "tdxctl status --json is not the capabilities document"
pass "tdxctl status --json"
# --json alone is short when not on a terminal; pretty and short on request, same document.
assert_eq 1 "$(tctl status --json | wc -l)" "tdxctl status --json in a pipe is one line"
assert_eq 1 "$(tctl status --json=short | wc -l)" "tdxctl status --json=short is one line"
[ "$(tctl status --json=pretty | wc -l)" -gt 10 ] || fail "tdxctl status --json=pretty is not indented"
assert_eq "$(tctl status --json=short | jq -cS 'del(.generated_usec)')" \
	"$(tctl status --json=pretty | jq -cS 'del(.generated_usec)')" "pretty and short are one document"
tctl status --json | jq -e '.host.kernel != null and .generated_usec > 0' >/dev/null ||
	fail "tdxctl status --json has no host or generated_usec"
assert_eq 1 "$(tctl check --root "$ROOT" --json | wc -l)" "tdxctl check --json in a pipe is one line"
pass "--json=pretty|short"

# Refresh + PropertiesChanged: the kernel's view changes, Refresh publishes it.
monitor_start
before=$(prop TotalKeyIDs)
sed -i 's/^tdx .*/tdx 15/' "$ROOT/sys/fs/cgroup/misc.capacity"
call Refresh >/dev/null
call Refresh >/dev/null # inside the rate-limit window: waits for the next probe
assert_eq 15 "$(prop TotalKeyIDs)" "TotalKeyIDs follows misc.capacity after Refresh (was $before)"
wait_signal '.member == "PropertiesChanged" and (.payload.data[1] | has("TotalKeyIDs"))'
pass "PropertiesChanged carries TotalKeyIDs"
monitor_stop

# UsedKeyIDs is read fresh on every Get, and State follows it without a Refresh.
monitor_start
sed -i 's/^tdx .*/tdx 15/' "$ROOT/sys/fs/cgroup/misc.current"
# A property that cannot depend on the usage is answered from memory: no re-derivation yet
# (the NFD file is rewritten, synchronously, by every derivation that changes the state).
prop ModuleVersion >/dev/null
grep -qx 'tdxd.tdx.state=ready' "$ROOT$nfd" || fail "Get(ModuleVersion) read the KeyID usage"
pass "Get(ModuleVersion) does not read the KeyID usage"
assert_eq 15 "$(prop UsedKeyIDs)" "UsedKeyIDs read fresh on Get"
assert_eq degraded "$(prop State)" "no free KeyID: degraded without a Refresh"
wait_signal '.member == "PropertiesChanged" and (.payload.data[1] | has("State"))'
pass "State change from usage is signalled"
grep -qx 'tdxd.tdx.state=degraded' "$ROOT$nfd" || fail "NFD feature file not rewritten on a state change"
pass "NFD feature file follows the state"
monitor_stop
sed -i 's/^tdx .*/tdx 2/' "$ROOT/sys/fs/cgroup/misc.current"
assert_eq 2 "$(prop UsedKeyIDs)" "UsedKeyIDs back to 2"

# A garbage kernel file: named in the log, the daemon keeps serving.
printf 'tdx \x01\x02garbage\n' >"$ROOT/sys/fs/cgroup/misc.capacity"
sleep 1.1
call Refresh >/dev/null || fail "Refresh failed on a garbage misc.capacity"
grep -q 'misc.capacity' "$WORK/tdxd.log" || fail "the garbage file is not named in the log"
daemon_alive
pass "a garbage misc.capacity is reported and the daemon keeps serving"

# A kernel line with bytes that are not UTF-8 (a saved log, a vendor message): quoted safely,
# the bus keeps answering.
printf '3,99999,99999999,-;virt/tdx: SEAMCALL (0x0000000000000022) failed: 0x\xff\xfe\n' >>"$ROOT/dev/kmsg"
printf '3,100000,99999999,-;virt/tdx: module initialization failed (-5)\n' >>"$ROOT/dev/kmsg"
sleep 1.1
call Refresh >/dev/null || fail "Refresh failed after a non-UTF-8 kernel line"
assert_match 'failed: 0x\?\?' "$(prop StateReason)" "a non-UTF-8 kernel line is quoted with ? for bad bytes"
tctl status >/dev/null || fail "tdxctl status fails after a non-UTF-8 kernel line"
pass "tdxctl status still works"

# tdxctl when the daemon is not running.
bus_stop_daemon
out=$(tctl status 2>&1) && fail "tdxctl status succeeded without a daemon"
assert_match 'tdxctl check' "$out" "tdxctl status without the daemon suggests tdxctl check"
assert_match '^tdxctl: tdxd is not running\.' "$out" "tdxctl status without the daemon says so"

# tdxctl without a system bus at all: says that, not that tdxd is not running.
out=$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WORK/no-such-bus tctl status 2>&1) &&
	fail "tdxctl status succeeded without a bus"
assert_match '^tdxctl: there is no system bus to reach tdxd on' "$out" "tdxctl status without a bus says so"
