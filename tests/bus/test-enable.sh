#!/usr/bin/env bash
# The enable sequence under --root (dry run: nothing is loaded; the decisions are real): a
# module in use is left alone and the reason says how many hold it and what to use at next
# boot; an idle module loaded without TDX would be reloaded; a missing module would be loaded
# with tdx=1 plus the modprobe.d options; blacklist / install /bin/false are operator intent
# (the hint names the file); a one-shot init failure answers NotSupported with a reboot hint;
# a package without online CPU is refused (OnlineCPUsForInit=no) or would be onlined; the
# no-op when ready; AccessDenied for an unprivileged caller; tdxctl enable.
. "$(dirname "$0")/lib.sh"

restart() {
	bus_stop_daemon
	: >"$WORK/tdxd.log"
	bus_start_daemon
}

log_has() {
	grep -q -- "$1" "$WORK/tdxd.log" || fail "$2: no \"$1\" in the log: $(cat "$WORK/tdxd.log")"
	pass "$2"
}

# ---- kvm_intel loaded without TDX and held by 3 users (vhost etc.) ----
bus_setup kvm-no-tdx-in-use
assert_eq disabled "$(prop State)" "in use: State"
reason=$(prop StateReason)
assert_match 'held by 3 users \(refcnt 3' "$reason" "in use: the reason counts the users"
assert_match 'kvm_intel\.tdx=1' "$reason" "in use: the reason gives the next-boot command line"
log_has "Not reloading kvm_intel" "in use: the log says it is not reloaded"
expect_error org.tdxd.Tdx1.Error.ModuleLoadFailed EnableTDX
out=$(dsend EnableTDX || true)
assert_match 'held by 3 users' "$out" "EnableTDX says why it did not reload"

# ---- the same module, now idle: EnableTDX would unload and reload it ----
# (the fixture's config says ReloadKVM=never: back to the default, if-idle)
printf '[Manager]\nMemoryGate=warn\n' >"$ROOT/etc/tdxd/tdxd.conf"
restart
echo 0 >"$ROOT/sys/module/kvm_intel/refcnt"
rm -rf "$ROOT/sys/module/kvm_intel/holders"/*
: >"$WORK/tdxd.log"
dsend EnableTDX >/dev/null || fail "EnableTDX on an idle module failed: $(dsend EnableTDX)"
log_has "Would unload the idle kvm_intel" "idle: the log says it would reload"
log_has "with tdx=1" "idle: ... with tdx=1"
assert_eq disabled "$(prop State)" "idle, dry run: still disabled (nothing was loaded)"
assert_match 'test root' "$(prop StateReason)" "idle, dry run: the reason says it is a test root"
assert_eq 0 "$(cat "$ROOT/sys/module/kvm_intel/refcnt")" "dry run changed nothing"

# ---- ReloadKVM=never: left alone even when idle ----
mkdir -p "$ROOT/etc/tdxd"
printf '[Manager]\nReloadKVM=never\n' >"$ROOT/etc/tdxd/tdxd.conf"
restart
assert_eq disabled "$(prop State)" "ReloadKVM=never: State"
assert_match 'ReloadKVM=never' "$(prop StateReason)" "ReloadKVM=never: the reason says so"
rm -f "$ROOT/etc/tdxd/tdxd.conf"

# ---- not loaded: would load it, with the modprobe.d options; READY=1 only at the end ----
printf '[Manager]\nMemoryGate=warn\n' >"$ROOT/etc/tdxd/tdxd.conf"
rm -rf "$ROOT/sys/module/kvm_intel"
mkdir -p "$ROOT/etc/modprobe.d"
echo 'options kvm_intel nested=0' >"$ROOT/etc/modprobe.d/kvm.conf"
python3 "$(dirname "$0")/notify-listen.py" "$WORK/notify" >"$WORK/notify.log" &
wait_for test -S "$WORK/notify" || fail "notify listener did not start"
DAEMON_ENV="NOTIFY_SOCKET=$WORK/notify"
restart
DAEMON_ENV=""
wait_for grep -q 'READY=1' "$WORK/notify.log" || fail "no READY=1: $(cat "$WORK/notify.log")"
assert_match 'READY=1\|STATUS=TDX disabled: .*\(test root: nothing was loaded\)' \
	"$(grep -m1 READY=1 "$WORK/notify.log")" "READY=1 only once the enable sequence has ended"
log_has "Would load kvm_intel with tdx=1; modprobe.d adds nested=0" \
	"not loaded: would load with tdx=1 plus the modprobe.d options"
assert_eq disabled "$(prop State)" "not loaded, dry run: disabled"

# ---- blacklist: operator intent, the hint names the file ----
echo 'blacklist kvm_intel' >"$ROOT/etc/modprobe.d/no-kvm.conf"
restart
assert_eq disabled "$(prop State)" "blacklisted: State"
assert_match '/etc/modprobe.d/no-kvm.conf' "$(prop StateReason)" "blacklisted: the reason names the file"
checks=$(prop_json Checks)
jq -e '.data[] | select(.[0] == "kvm-module") | .[4] | test("/etc/modprobe.d/no-kvm.conf")' \
	<<<"$checks" >/dev/null || fail "blacklisted: the kvm-module hint does not name the file: $checks"
pass "blacklisted: the kvm-module hint names the file"
grep -q "Would load" "$WORK/tdxd.log" && fail "a blacklisted module would be loaded"
expect_error org.tdxd.Tdx1.Error.NotSupported EnableTDX
rm -f "$ROOT/etc/modprobe.d/no-kvm.conf"

# ---- install ... /bin/false: the same ----
echo 'install kvm-intel /bin/false' >"$ROOT/etc/modprobe.d/50-off.conf"
restart
assert_eq disabled "$(prop State)" "install /bin/false: State"
assert_match '/etc/modprobe.d/50-off.conf' "$(prop StateReason)" "install /bin/false: the reason names the file"
rm -f "$ROOT/etc/modprobe.d/50-off.conf"

# ---- a one-shot init failure this boot: NotSupported with a reboot hint ----
bus_stop_daemon
rm -rf "$ROOT"
cp -a "$FIXTURES/spr-2s-v6.16-init-failed" "$ROOT"
mkdir -p "$ROOT/etc/tdxd"
printf '[Manager]\nFallbackWithoutTDX=no\n' >"$ROOT/etc/tdxd/tdxd.conf"
restart
assert_eq failed "$(prop State)" "init failed earlier: State"
out=$(dsend EnableTDX) && fail "EnableTDX after a one-shot failure succeeded"
assert_match '^Error org.tdxd.Tdx1.Error.NotSupported: .*reboot' "$out" "one-shot: NotSupported with a reboot hint"
# with the fallback, the module (not loaded) would be loaded again without TDX
rm -f "$ROOT/etc/tdxd/tdxd.conf"
restart
log_has "Would load kvm_intel with tdx=0" "one-shot, FallbackWithoutTDX=yes: would load without TDX"
assert_eq failed "$(prop State)" "one-shot with fallback: State stays failed"

# ---- a package without online CPU ----
bus_stop_daemon
rm -rf "$ROOT"
cp -a "$FIXTURES/kvm-no-tdx-in-use" "$ROOT"
rm -rf "$ROOT/sys/module/kvm_intel"
# the second package goes dark (its CPUs are remembered in /run/tdxd/cpu-package)
pkg1=$(grep -l '^1$' "$ROOT"/sys/devices/system/cpu/cpu*/topology/physical_package_id |
	sed -E 's|.*/cpu([0-9]+)/topology.*|\1|' | sort -n)
[ -n "$pkg1" ] || fail "fixture has no package 1"
mkdir -p "$ROOT/run/tdxd"
printf 'KVM_MODULE=kvm_intel\nBOOT_ID=%s\n' "$(cat "$ROOT/proc/sys/kernel/random/boot_id")" \
	>"$ROOT/run/tdxd/state"
for c in $pkg1; do
	echo "$c 1" >>"$ROOT/run/tdxd/cpu-package"
	echo 0 >"$ROOT/sys/devices/system/cpu/cpu$c/online"
	rm -rf "$ROOT/sys/devices/system/cpu/cpu$c/topology"
done
# shellcheck disable=SC2012
ls -d "$ROOT"/sys/devices/system/cpu/cpu[0-9]* | sed -E 's|.*/cpu||' | sort -n | while read -r c; do
	if [ "$(cat "$ROOT/sys/devices/system/cpu/cpu$c/online" 2>/dev/null || echo 1)" = 1 ]; then
		echo "$c"
	fi
done | paste -sd, >"$ROOT/sys/devices/system/cpu/online"
first=$(head -n1 <<<"$pkg1")
mkdir -p "$ROOT/etc/tdxd"
printf '[Manager]\nOnlineCPUsForInit=no\n' >"$ROOT/etc/tdxd/tdxd.conf"
restart
assert_eq failed "$(prop State)" "package offline, OnlineCPUsForInit=no: State"
assert_match "cannot enable TDX: no online CPU in package 1 \(CPUs [0-9,-]+\); online one, e.g. echo 1 > /sys/devices/system/cpu/cpu$first/online" \
	"$(prop StateReason)" "package offline: the refusal names the package, its CPUs and a command"
rm -f "$ROOT/etc/tdxd/tdxd.conf"
restart
log_has "Would online CPU $first" "OnlineCPUsForInit=yes: would online one CPU of package 1"
log_has "Would load kvm_intel with tdx=1" "... and then load kvm_intel"

# ---- ready: a restart never reloads; EnableTDX is a no-op ----
bus_stop_daemon
rm -rf "$ROOT"
cp -a "$FIXTURES/spr-2s-v6.16-ready" "$ROOT"
restart
assert_eq ready "$(prop State)" "ready fixture: State"
log_has "already loaded with TDX" "ready: a (re)start does not reload"
dsend EnableTDX >/dev/null || fail "EnableTDX when ready failed"
pass "EnableTDX when ready is a no-op success"
tctl enable || fail "tdxctl enable when ready failed"
pass "tdxctl enable"

# ---- unprivileged callers ----
err=$(as_nobody dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
	org.tdxd.Tdx1.Manager.EnableTDX 2>&1) && fail "unprivileged EnableTDX allowed"
assert_match '^Error org.freedesktop.DBus.Error.AccessDenied' "$err" "unprivileged EnableTDX: AccessDenied"
daemon_alive
