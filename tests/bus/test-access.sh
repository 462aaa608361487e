#!/usr/bin/env bash
# Access control: every member may be sent by everyone (the project's bus policy); the daemon
# itself allows OfflineCPU/EnableTDX to root, and to others only when polkit grants the
# action. Here no polkit is on the bus: root only, and the refusal names what is needed.
# test-polkit.sh plays polkit.
. "$(dirname "$0")/lib.sh"

bus_setup spr-2s-v6.16-ready

state=$(as_nobody busctl --system get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 \
	org.tdxd.Tdx1.Manager State) || fail "an unprivileged caller cannot read State"
pass "unprivileged Get State: $state"
as_nobody busctl --system call org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager \
	GetCapabilities >/dev/null || fail "unprivileged GetCapabilities refused"
as_nobody busctl --system call org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager \
	CheckCPUOffline u 1 >/dev/null || fail "unprivileged CheckCPUOffline refused"
as_nobody busctl --system call org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager \
	Refresh >/dev/null || fail "unprivileged Refresh refused"
as_nobody busctl --system introspect org.tdxd.Tdx1 /org/tdxd/Tdx1 >/dev/null ||
	fail "unprivileged Introspect refused"
pass "read-only members are open to everyone"

for m in "OfflineCPU uint32:1" "EnableTDX"; do
	# shellcheck disable=SC2086
	err=$(as_nobody dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		org.tdxd.Tdx1.Manager.$m 2>&1) && fail "unprivileged $m allowed"
	assert_match '^Error org.freedesktop.DBus.Error.AccessDenied: .*requires root.*polkit is not running.*org\.tdxd\.Tdx1\.(offline-cpu|enable)' \
		"$err" "unprivileged $m refused by the daemon, naming the polkit action"
done
err=$(as_nobody "$TDXCTL" offline-cpu 1 2>&1) && fail "unprivileged tdxctl offline-cpu succeeded"
# One sentence naming the action, not dbus-daemon's dump of its matched rules.
assert_match '^tdxctl: offline-cpu: OfflineCPU .*requires root.*polkit action org\.tdxd\.Tdx1\.offline-cpu.*; run it with sudo\.$' \
	"$err" "unprivileged tdxctl offline-cpu names the action"
grep -q 'Rejected send message' <<<"$err" && fail "tdxctl shows the bus policy's rule dump: $err"
pass "unprivileged tdxctl offline-cpu fails: $err"
assert_eq 1 "$(cat "$ROOT/sys/devices/system/cpu/cpu1/online")" "CPU 1 stayed online"

# The same on a bus whose policy allows everything: the daemon refuses by itself.
bus_stop_daemon
kill "$BUS_PID"; wait "$BUS_PID" 2>/dev/null || true; rm -f "$SOCKET"
bus_start_bus 1
bus_start_daemon
for m in "OfflineCPU uint32:1" "EnableTDX"; do
	# shellcheck disable=SC2086
	err=$(as_nobody dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		org.tdxd.Tdx1.Manager.$m 2>&1) && fail "unprivileged $m allowed on a permissive bus"
	assert_match '^Error org.freedesktop.DBus.Error.AccessDenied: .*requires root' "$err" \
		"the daemon itself refuses unprivileged $m"
done
assert_eq 1 "$(cat "$ROOT/sys/devices/system/cpu/cpu1/online")" "CPU 1 stayed online"
daemon_alive
