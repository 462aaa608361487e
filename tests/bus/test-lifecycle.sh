#!/usr/bin/env bash
# Start-up and shutdown: READY=1 with a STATUS= line once the first probe is published, the
# /run/tdxd files, SIGHUP re-reading the config and publishing what changed, a clean SIGTERM,
# and a restart that keeps what /run/tdxd remembers.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")

python3 "$here/notify-listen.py" "$WORK/notify" >"$WORK/notify.log" &
NOTIFY_PID=$!
wait_for test -S "$WORK/notify" || fail "notify listener did not start"
DAEMON_ENV="NOTIFY_SOCKET=$WORK/notify"
bus_setup spr-2s-v6.16-ready

wait_for grep -q 'READY=1' "$WORK/notify.log" || fail "no READY=1: $(cat "$WORK/notify.log")"
assert_match 'STATUS=TDX ready: 29/31 KeyIDs free, max [0-9]+ vCPUs per TD' \
	"$(grep -m1 READY=1 "$WORK/notify.log")" "READY=1 comes with a STATUS= line"

# /run/tdxd under the root: one fact a line.
st="$ROOT/run/tdxd/state"
for kv in TDX_ENABLED=1 MODULE_INITIALIZED=1 KVM_MODULE=kvm_intel CPU_GUARD=enforce MEMORY_GATE=enforce; do
	grep -qx "$kv" "$st" || fail "$st lacks $kv: $(cat "$st")"
done
grep -Eq '^BOOT_ID=[0-9a-f-]{36}$' "$st" || fail "$st lacks BOOT_ID"
pass "/run/tdxd/state"
grep -qx '0 0' "$ROOT/run/tdxd/cpu-package" || fail "cpu-package lacks CPU 0"
n=$(wc -l <"$ROOT/run/tdxd/cpu-package")
assert_eq "$(bctl --json=short get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager Packages |
	jq '[.data[][2]] | add')" "$n" "cpu-package has every online CPU"
grep -q 'private KeyID range \[32, 64)' "$ROOT/run/tdxd/kernel-log" ||
	fail "kernel-log does not keep the KeyID line"
pass "/run/tdxd/kernel-log keeps the TDX lines"

# SIGHUP: re-read the config, publish the change.
monitor_start
mkdir -p "$ROOT/etc/tdxd"
printf '[Manager]\nCPUGuard=warn\n' >"$ROOT/etc/tdxd/tdxd.conf"
kill -HUP "$TDXD_PID"
cpuguard_is_warn() { [ "$(prop CPUGuard)" = warn ]; }
wait_for cpuguard_is_warn || fail "CPUGuard not reloaded on SIGHUP"
pass "SIGHUP reloads the config"
wait_signal '.member == "PropertiesChanged" and (.payload.data[1] | has("CPUGuard"))'
pass "the reload is signalled"
monitor_stop
wait_for grep -qx CPU_GUARD=warn "$st" || fail "state file does not follow the reload"

# The kernel log ring wrapped: the restarted daemon still knows the facts from /run/tdxd.
kill -TERM "$TDXD_PID"
wait "$TDXD_PID"
rc=$?
TDXD_PID=""
assert_eq 0 "$rc" "SIGTERM exits cleanly"
grep -v 'KeyID range\|module initialized\|PAMT' "$ROOT/dev/kmsg" >"$WORK/kmsg" && cp "$WORK/kmsg" "$ROOT/dev/kmsg"
bus_start_daemon
assert_eq ready "$(prop State)" "after a restart with a wrapped log, /run/tdxd/kernel-log keeps the facts"
assert_eq 31 "$(prop TotalKeyIDs)" "TotalKeyIDs still known"
kill "$NOTIFY_PID" 2>/dev/null || true
