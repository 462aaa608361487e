#!/usr/bin/env bash
# Authorization through polkit (docs/readiness.md, *Authorization*): a stand-in authority on
# the private bus answers CheckAuthorization; tdxd asks it for non-root callers of the methods
# that change the host, with the action of each method and the interactive flag the caller set,
# and acts on the answer: allow, deny, challenge. Root is never asked.
. "$(dirname "$0")/lib.sh"
: "${FAKE_POLKIT:?FAKE_POLKIT must point at the stand-in authority}"

bus_setup spr-2s-v6.16-ready
PK_LOG=$WORK/polkit.log
PK_PID=""

polkit_start() {
	[ -n "$PK_PID" ] && { kill "$PK_PID" 2>/dev/null || true; wait "$PK_PID" 2>/dev/null || true; }
	: >"$PK_LOG"
	"$FAKE_POLKIT" "$1" "$PK_LOG" 2>>"$WORK/polkit.err" &
	PK_PID=$!
	wait_for busctl --system status org.freedesktop.PolicyKit1 ||
		fail "the stand-in polkit did not take its name: $(cat "$WORK/polkit.err")"
}

offline_as_nobody() {
	as_nobody dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		org.tdxd.Tdx1.Manager.OfflineCPU "uint32:$1" 2>&1
}

# deny: refused with a sentence naming the action; the CPU stays online
polkit_start deny
err=$(offline_as_nobody 1) && fail "OfflineCPU allowed although polkit denied it"
assert_match '^Error org.freedesktop.DBus.Error.AccessDenied: OfflineCPU requires root or authorization for the polkit action org\.tdxd\.Tdx1\.offline-cpu \(caller uid 65534 is not authorized\)' \
	"$err" "denied: the refusal names the polkit action"
assert_match '^org\.tdxd\.Tdx1\.offline-cpu flags=0 subject=system-bus-name::1\.[0-9]+$' \
	"$(cat "$PK_LOG")" "tdxd asked polkit for the caller's bus name, without interaction"
assert_eq 1 "$(cat "$ROOT/sys/devices/system/cpu/cpu1/online")" "denied: CPU 1 stayed online"

# allow: the request goes through the CPU guard as root's would
polkit_start allow
offline_as_nobody 1 >/dev/null || fail "OfflineCPU refused although polkit allowed it"
assert_eq 0 "$(cat "$ROOT/sys/devices/system/cpu/cpu1/online")" "allowed: CPU 1 is offline"
echo 1 >"$ROOT/sys/devices/system/cpu/cpu1/online"
err=$(as_nobody dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
	org.tdxd.Tdx1.Manager.EnableTDX 2>&1) || fail "EnableTDX refused although polkit allowed it: $err"
assert_match 'org\.tdxd\.Tdx1\.enable flags=0' "$(cat "$PK_LOG")" "EnableTDX asks for its own action"

# challenge without interaction: the caller is told to authenticate
polkit_start challenge
err=$(offline_as_nobody 1) && fail "OfflineCPU allowed on a challenge"
assert_match '^Error org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: OfflineCPU needs an administrator.s authentication for the polkit action org\.tdxd\.Tdx1\.offline-cpu' \
	"$err" "challenge: interactive authorization required, naming the action"

# interactive: a caller that allows interaction gets the flag through to polkit
polkit_start interactive
as_nobody busctl --system --allow-interactive-authorization=yes call org.tdxd.Tdx1 \
	/org/tdxd/Tdx1 org.tdxd.Tdx1.Manager OfflineCPU u 1 >/dev/null ||
	fail "interactive OfflineCPU refused"
assert_match 'org\.tdxd\.Tdx1\.offline-cpu flags=1' "$(cat "$PK_LOG")" \
	"the interactive flag reaches polkit (AllowUserInteraction)"
assert_eq 0 "$(cat "$ROOT/sys/devices/system/cpu/cpu1/online")" "interactive: CPU 1 is offline"
echo 1 >"$ROOT/sys/devices/system/cpu/cpu1/online"

# tdxctl allows interaction when a person can answer: on a terminal (script(1) gives it one),
# not when stdin is a pipe, not with --no-ask-password
: >"$PK_LOG"
as_nobody "$TDXCTL" offline-cpu 1 </dev/null >/dev/null 2>&1 &&
	fail "tdxctl without a terminal got an interactive authorization"
assert_match 'org\.tdxd\.Tdx1\.offline-cpu flags=0' "$(cat "$PK_LOG")" "tdxctl, no terminal: no interaction asked"
if command -v script >/dev/null; then
	: >"$PK_LOG"
	as_nobody script -qec "$TDXCTL offline-cpu 1" /dev/null >/dev/null 2>&1 ||
		fail "tdxctl on a terminal was refused: $(cat "$PK_LOG")"
	assert_match 'org\.tdxd\.Tdx1\.offline-cpu flags=1' "$(cat "$PK_LOG")" \
		"tdxctl on a terminal allows interactive authorization"
	assert_eq 0 "$(cat "$ROOT/sys/devices/system/cpu/cpu1/online")" "tdxctl on a terminal: CPU 1 offline"
	echo 1 >"$ROOT/sys/devices/system/cpu/cpu1/online"
	: >"$PK_LOG"
	out=$(as_nobody script -qec "$TDXCTL --no-ask-password offline-cpu 1" /dev/null 2>&1) &&
		fail "tdxctl --no-ask-password got an interactive authorization"
	assert_match 'org\.tdxd\.Tdx1\.offline-cpu flags=0' "$(cat "$PK_LOG")" "--no-ask-password: no interaction"
	assert_match "needs an administrator.s authentication for the polkit action org\.tdxd\.Tdx1\.offline-cpu" \
		"$out" "--no-ask-password: the challenge is said in one sentence"
else
	echo "SKIP: script(1) missing, tdxctl's terminal case not run" >&2
fi

# root is never asked
: >"$PK_LOG"
polkit_start deny
bctl call org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager OfflineCPU u 1 >/dev/null ||
	fail "root's OfflineCPU refused"
assert_eq "" "$(cat "$PK_LOG")" "root was not sent to polkit"

# absent: root only, said so
kill "$PK_PID"; wait "$PK_PID" 2>/dev/null || true; PK_PID=""
err=$(offline_as_nobody 2) && fail "OfflineCPU allowed without polkit"
assert_match 'requires root .*polkit is not running' "$err" "no polkit: root only, and said so"
daemon_alive
