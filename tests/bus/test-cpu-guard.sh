#!/usr/bin/env bash
# The CPU guard (docs/readiness.md, *CPU guard*) on a copy of a 2-socket fixture with TDX up and TDs running:
# CheckCPUOffline, OfflineCPU (allowed, refused, NoSuchCPU), an offline of the last CPU of a
# package written straight into sysfs and undone (enforce), reported (warn) or ignored (off),
# and the udev helper tdxd-cpu-guard run on its own against the same tree.
#
# The fixture plays the kernel (fixture-cpu.sh): after a CPU's online file changes, the rest of
# sysfs is made to look as the kernel leaves it before the event is sent.
. "$(dirname "$0")/lib.sh"

: "${CPU_GUARD_HELPER:?CPU_GUARD_HELPER must point at the tdxd-cpu-guard binary}"

# shellcheck source=fixture-cpu.sh
. "$(dirname "$0")/fixture-cpu.sh"
FX_ROOT=$ROOT
cpu_offline() { fx_cpu_offline "$@"; }
cpu_online() { fx_cpu_online "$@"; }

online_of() {
	fx_online_of "$1"
}

# online_is N VALUE / package_online_is PKG COUNT: for wait_for (re-evaluated on each try)
online_is() {
	[ "$(online_of "$1")" = "$2" ]
}

# package_online PKG: the online count of a package in the Packages property
package_online() {
	prop_json Packages | jq -r --argjson p "$1" '.data[] | select(.[0] == $p) | .[2]'
}

package_online_is() {
	[ "$(package_online "$1")" = "$2" ]
}

# signal_count CPU ACTION
signal_count() {
	jq -s --argjson c "$1" --arg a "$2" \
		'map(select(.member == "CPUOfflineBlocked" and .payload.data[0] == $c and
		             .payload.data[2] == $a)) | length' "$WORK/monitor.json"
}

signal_count_is() {
	[ "$(signal_count "$1" "$2")" = "$3" ]
}

# spr-2s-v6.16-ready: package 0 is CPUs 0-7,16-23, package 1 is 8-15,24-31; TDX up in KVM,
# the module initialized, 2 TDs (misc.current tdx 2). Leave package 1 with CPUs 8 and 9.
cp -a "$FIXTURES/spr-2s-v6.16-ready" "$ROOT"
cpu_offline 10 11 12 13 14 15 24 25 26 27 28 29 30 31
bus_start_bus 0
bus_start_daemon
assert_eq 2 "$(package_online 1)" "package 1 starts with 2 online CPUs"
grep -qx '9 1' "$ROOT/run/tdxd/cpu-package" || fail "cpu-package does not record CPU 9"
pass "tdxd saved the CPU -> package map"
grep -qx 'CPU_GUARD=enforce' "$ROOT/run/tdxd/state" || fail "state lacks CPU_GUARD=enforce"

# CheckCPUOffline: the verdict without acting.
out=$(call CheckCPUOffline u 9)
assert_match '^bs true ".*package 1 keeps CPU 8 online' "$out" "CheckCPUOffline 9: allowed"
expect_error org.tdxd.Tdx1.Error.NoSuchCPU CheckCPUOffline uint32:99999
expect_error org.tdxd.Tdx1.Error.NoSuchCPU OfflineCPU uint32:99999
# x86 CPU 0 has no online file (not hotpluggable): a clear error, not a crash or a fake success
out=$(dsend OfflineCPU uint32:0) && fail "OfflineCPU 0 succeeded"
assert_match '^Error org.tdxd.Tdx1.Error.NotSupported: CPU 0 cannot be taken offline' "$out" \
	"OfflineCPU 0 -> NotSupported (no online file)"
out=$(as_nobody dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
	org.tdxd.Tdx1.Manager.OfflineCPU uint32:9 2>&1) && fail "OfflineCPU as nobody succeeded"
assert_match 'AccessDenied' "$out" "OfflineCPU needs root"
assert_eq 1 "$(online_of 9)" "CPU 9 untouched by the refused call"

# OfflineCPU of a CPU whose package keeps another online CPU: done.
monitor_start
call OfflineCPU u 9 >/dev/null || fail "OfflineCPU 9 refused though CPU 8 stays online"
assert_eq 0 "$(online_of 9)" "OfflineCPU 9 wrote 0 to its online file"
cpu_offline 9
send_uevent "offline /devices/system/cpu/cpu9"
wait_for package_online_is 1 1 || fail "Packages does not show package 1 with 1 CPU"
sleep 0.3
assert_eq 0 "$(online_of 9)" "CPU 9 stays offline: CPU 8 still serves package 1"
assert_eq 0 "$(signal_count 9 re-onlined)" "no signal for an allowed offline"

# Now CPU 8 is package 1's last: refused up front, with the package and the TDs named.
out=$(call CheckCPUOffline u 8)
assert_match '^bs false ".*CPU 8 is the last online CPU of package 1 \(CPUs 8-15,24-31' "$out" \
	"CheckCPUOffline 8: refused, names the package and its CPUs"
assert_match 'TDs hold KeyIDs now.*EBUSY' "$out" "the reason says TDs exist (kernel EBUSY)"
out=$(dsend OfflineCPU uint32:8) && fail "OfflineCPU 8 succeeded"
assert_match '^Error org.tdxd.Tdx1.Error.LastCPUInPackage: .*package 1' "$out" \
	"OfflineCPU 8 -> LastCPUInPackage naming package 1"
assert_eq 1 "$(online_of 8)" "CPU 8 still online after the refusal"
wait_signal '.member == "CPUOfflineBlocked" and .payload.data == [8, 1, "refused"]'
pass "CPUOfflineBlocked(8, 1, refused)"
err=$(tctl offline-cpu 8 2>&1) && fail "tdxctl offline-cpu 8 succeeded"
assert_match 'package 1' "$err" "tdxctl offline-cpu 8 says why"
tctl check-cpu 8 >/dev/null 2>&1 && fail "tdxctl check-cpu 8 exits 0"
tctl check-cpu 7 >/dev/null 2>&1 || fail "tdxctl check-cpu 7 does not exit 0"
pass "tdxctl check-cpu exit status follows the verdict"

# Someone writes 0 straight into sysfs: the guard puts it back and says so.
cpu_offline 8
send_uevent "offline /devices/system/cpu/cpu8"
wait_for online_is 8 1 || fail "CPU 8 was not brought back online"
pass "enforce: CPU 8 back online after a direct offline"
wait_signal '.member == "CPUOfflineBlocked" and .payload.data == [8, 1, "re-onlined"]'
pass "CPUOfflineBlocked(8, 1, re-onlined)"
grep -q 'CPU 8 was taken offline outside tdxd.*package 1.*brought it back online' \
	"$WORK/tdxd.log" || fail "the log does not say what happened and why"
pass "the journal message says who, what and why"
cpu_online 1 8 # the kernel's view of the re-online, and its event
send_uevent "online /devices/system/cpu/cpu8"
wait_for package_online_is 1 1 || fail "package 1 not back to 1 online CPU"
assert_eq 1 "$(signal_count 8 re-onlined)" "one re-onlined signal for one offline"

# With the udev rule installed, libudev hands tdxd the event after the rule's helper ran: the
# CPU is online again when tdxd looks. tdxd still reports the offline, and writes nothing.
cpu_offline 8
"$CPU_GUARD_HELPER" --root "$ROOT" cpu8 2>/dev/null
cpu_online 1 8
send_uevent "offline /devices/system/cpu/cpu8"
wait_for signal_count_is 8 re-onlined 2 ||
	fail "no re-onlined signal when the udev rule won the race"
pass "udev rule first: tdxd reports CPUOfflineBlocked(8, 1, re-onlined)"
grep -q "CPU 8 .*online again (brought back by tdxd's udev rule" "$WORK/tdxd.log" ||
	fail "the log does not say the udev rule brought it back"
pass "the log says the udev rule brought it back"
monitor_stop

# The udev helper on the same tree with the daemon stopped, from tdxd's /run/tdxd files.
bus_stop_daemon
helper() { "$CPU_GUARD_HELPER" --root "$ROOT" "$@"; }
cpu_offline 8
helper cpu8 2>"$WORK/helper.err" || fail "tdxd-cpu-guard failed: $(cat "$WORK/helper.err")"
assert_eq 1 "$(online_of 8)" "helper: the last CPU of package 1 is back online"
cpu_online 1 8
helper cpu8 2>"$WORK/helper.err" || fail "second tdxd-cpu-guard run failed"
assert_match 'already online again' "$(cat "$WORK/helper.err")" "helper: a second run does nothing"
assert_eq 1 "$(online_of 8)" "helper: still online after the second run"
# with a sibling online the offline stands
cpu_online 1 9
cpu_offline 9
helper cpu9 2>/dev/null
assert_eq 0 "$(online_of 9)" "helper: CPU 9 stays offline while CPU 8 serves package 1"
# only CPU_GUARD=enforce of this boot acts
cpu_offline 8
cp "$ROOT/run/tdxd/state" "$WORK/state"
sed -i 's/^CPU_GUARD=.*/CPU_GUARD=warn/' "$ROOT/run/tdxd/state"
helper cpu8 2>/dev/null
assert_eq 0 "$(online_of 8)" "helper: CPU_GUARD=warn leaves it offline"
sed -e 's/^BOOT_ID=.*/BOOT_ID=00000000-0000-0000-0000-000000000000/' "$WORK/state" \
	>"$ROOT/run/tdxd/state"
helper cpu8 2>/dev/null
assert_eq 0 "$(online_of 8)" "helper: a state file from another boot is ignored"
rm "$ROOT/run/tdxd/state"
helper cpu8 2>/dev/null
assert_eq 0 "$(online_of 8)" "helper: no state file, nothing done"
cp "$WORK/state" "$ROOT/run/tdxd/state"
helper --quiet /devices/system/cpu/cpu8
assert_eq 1 "$(online_of 8)" "helper: the devpath form works"
cpu_online 1 8
out=$(helper bogus 2>&1) && fail "helper accepted a bogus CPU"
pass "helper: usage error on a bogus CPU ($out)"

# CPUGuard=warn: the offline stands, the signal and the log still come.
mkdir -p "$ROOT/etc/tdxd"
printf '[Manager]\nCPUGuard=warn\n' >"$ROOT/etc/tdxd/tdxd.conf"
bus_start_daemon
assert_eq warn "$(prop CPUGuard)" "CPUGuard=warn from the fixture's tdxd.conf"
out=$(call CheckCPUOffline u 8)
assert_match '^bs false ".*CPUGuard=warn' "$out" "warn: the enforce verdict, naming the mode"
monitor_start
cpu_offline 8
send_uevent "offline /devices/system/cpu/cpu8"
wait_signal '.member == "CPUOfflineBlocked" and .payload.data == [8, 1, "warned"]'
pass "warn: CPUOfflineBlocked(8, 1, warned)"
assert_eq 0 "$(online_of 8)" "warn: CPU 8 left offline"
cpu_online 1 8
send_uevent "online /devices/system/cpu/cpu8"
wait_for package_online_is 1 1 || fail "package 1 not back to 1 online CPU"
call OfflineCPU u 8 >/dev/null || fail "warn: OfflineCPU 8 refused"
assert_eq 0 "$(online_of 8)" "warn: OfflineCPU 8 offlines"
cpu_offline 8
send_uevent "offline /devices/system/cpu/cpu8"
wait_for signal_count_is 8 warned 2 || true # then exactly 2: a doubled one comes with the second
assert_eq 2 "$(signal_count 8 warned)" "warn: one signal per offline (OfflineCPU's event not doubled)"
monitor_stop
cpu_online 1 8
bus_stop_daemon

# CPUGuard=off: nothing.
printf '[Manager]\nCPUGuard=off\n' >"$ROOT/etc/tdxd/tdxd.conf"
bus_start_daemon
monitor_start
cpu_offline 8
send_uevent "offline /devices/system/cpu/cpu8"
wait_for package_online_is 1 0 || fail "off: Packages does not show package 1 dark"
assert_eq 0 "$(online_of 8)" "off: CPU 8 left offline"
cpu_online 1 8
send_uevent "online /devices/system/cpu/cpu8"
wait_for package_online_is 1 1 || fail "package 1 not back"
call OfflineCPU u 8 >/dev/null || fail "off: OfflineCPU 8 refused"
assert_eq 0 "$(online_of 8)" "off: OfflineCPU 8 offlines"
sleep 0.3
assert_eq 0 "$(jq -s 'map(select(.member == "CPUOfflineBlocked")) | length' "$WORK/monitor.json")" \
	"off: no CPUOfflineBlocked at all"
monitor_stop
daemon_alive
