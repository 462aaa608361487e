# shellcheck shell=bash
# Harness for the bus tests: a private dbus-daemon configured like the system bus with the
# project's own policy file, and the real tdxd on a copy of a fixture tree, fed kernel events
# through a FIFO. Source it from a test script; CTest passes TDXD, TDXCTL, POLICY_FILE and
# FIXTURES in the environment.
#
#   bus_setup FIXTURE [--permissive] [--config TEXT]   start the bus and tdxd on a copy
#   bus_start_daemon / bus_stop_daemon                 (re)start tdxd on the same tree
#   send_uevent "offline /devices/system/cpu/cpu3"     inject a kernel event
#   bctl ARGS...      busctl on the private bus          tctl ARGS...   tdxctl on it
#   prop NAME         busctl get-property, value only    as_nobody CMD...   uid/gid 65534
#   monitor_start / monitor_stop / monitor_has PATTERN  capture the daemon's signals
#   assert_eq EXPECTED ACTUAL WHAT, assert_match REGEX TEXT WHAT, wait_for CMD... (30 s)
#   pass / fail MSG
set -euo pipefail

: "${TDXD:?TDXD must point at the tdxd binary}"
: "${TDXCTL:?TDXCTL must point at the tdxctl binary}"
: "${POLICY_FILE:?POLICY_FILE must point at policy/org.tdxd.Tdx1.conf}"
: "${FIXTURES:?FIXTURES must point at tests/fixtures}"

WORK=$(mktemp -d /tmp/tdxd-bus.XXXXXX)
chmod 755 "$WORK" # the unprivileged caller must reach the socket
ROOT=$WORK/root
FIFO=$WORK/uevents
SOCKET=$WORK/system_bus_socket
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$SOCKET"
BUS_PID=""
TDXD_PID=""
MONITOR_PID=""
TEST_NAME=$(basename "$0" .sh)
FAILED=0

cleanup() {
	local rc=$?
	[ -n "$MONITOR_PID" ] && kill "$MONITOR_PID" 2>/dev/null || true
	[ -n "$TDXD_PID" ] && kill "$TDXD_PID" 2>/dev/null || true
	[ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null || true
	# and whatever else the test started in the background
	local j
	for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
		echo "---- tdxd log ($TEST_NAME) ----" >&2
		cat "$WORK/tdxd.log" >&2 2>/dev/null || true
		echo "---- end of tdxd log ----" >&2
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	FAILED=1
	exit 1
}

pass() {
	echo "ok: $*"
}

assert_eq() {
	if [ "$1" != "$2" ]; then
		fail "$3: expected '$1', got '$2'"
	fi
	pass "$3"
}

assert_match() {
	if ! printf '%s' "$2" | grep -Eq -- "$1"; then
		fail "$3: '$2' does not match /$1/"
	fi
	pass "$3"
}

# wait_for CMD...: until CMD succeeds, at most 120 s: a bound on a hang, not a speed limit (the
# condition is usually true at once; a loaded CI machine under ASan may need many seconds)
wait_for() {
	local i
	for i in $(seq 1 1200); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

bus_start_bus() {
	local permissive=$1 policy
	if [ "$permissive" = 1 ]; then
		# Everything allowed: proves the daemon's own checks, not the policy's.
		policy='<policy context="default"><allow own="*"/><allow send_destination="*"/></policy>'
	else
		policy="<include>$POLICY_FILE</include>"
	fi
	sed -e "s|@SOCKET@|$SOCKET|" -e "s|@POLICY@|$policy|" \
		"$(dirname "${BASH_SOURCE[0]}")/system-bus.conf.in" >"$WORK/bus.conf"
	dbus-daemon --config-file="$WORK/bus.conf" --nofork --nopidfile \
		>"$WORK/bus.log" 2>&1 &
	BUS_PID=$!
	wait_for test -S "$SOCKET" || fail "private dbus-daemon did not start: $(cat "$WORK/bus.log")"
}

bus_start_daemon() {
	[ -p "$FIFO" ] || mkfifo "$FIFO"
	# DAEMON_ENV: extra environment for tdxd alone (e.g. NOTIFY_SOCKET=...)
	# shellcheck disable=SC2086
	env ${DAEMON_ENV:-} "$TDXD" --root "$ROOT" --uevents "$FIFO" "$@" >>"$WORK/tdxd.log" 2>&1 &
	TDXD_PID=$!
	if ! wait_for busctl --system get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		org.tdxd.Tdx1.Manager State; then
		fail "tdxd did not take org.tdxd.Tdx1 on the private bus"
	fi
	# Wait until the start-up enable sequence has ended.
	local i
	for i in $(seq 1 1200); do
		[ "$(prop State)" != starting ] && break
		sleep 0.1
	done
}

bus_stop_daemon() {
	if [ -n "$TDXD_PID" ]; then
		kill "$TDXD_PID" 2>/dev/null || true
		wait "$TDXD_PID" 2>/dev/null || true
		TDXD_PID=""
	fi
}

# bus_setup FIXTURE [--permissive] [--config TEXT]
bus_setup() {
	local fixture=$1 permissive=0 config=""
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--permissive) permissive=1 ;;
		--config) config=$2; shift ;;
		*) fail "bus_setup: unknown option $1" ;;
		esac
		shift
	done
	[ -d "$FIXTURES/$fixture" ] || fail "no fixture $fixture"
	cp -a "$FIXTURES/$fixture" "$ROOT"
	if [ -n "$config" ]; then
		mkdir -p "$ROOT/etc/tdxd"
		printf '%s\n' "$config" >"$ROOT/etc/tdxd/tdxd.conf"
	fi
	bus_start_bus "$permissive"
	bus_start_daemon
}

send_uevent() {
	printf '%s\n' "$1" >"$FIFO"
}

bctl() {
	busctl --system "$@"
}

tctl() {
	"$TDXCTL" "$@"
}

# prop NAME: the property's value, busctl's text form without the type ("s \"ready\"" -> ready)
prop() {
	busctl --system get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager "$1" |
		sed -E 's/^[a-z({]+[a-z)}]* //; s/^"(.*)"$/\1/'
}

# prop_json NAME: the property as JSON ({"type":..,"data":..})
prop_json() {
	busctl --system --json=short get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		org.tdxd.Tdx1.Manager "$1"
}

call() {
	busctl --system call org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager "$@"
}

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$@"
}

monitor_start() {
	busctl --system --json=short monitor --match \
		"type='signal',sender='org.tdxd.Tdx1'" >"$WORK/monitor.json" 2>"$WORK/monitor.err" &
	MONITOR_PID=$!
	# busctl says this once it is a monitor: no signal after this point is missed
	wait_for grep -q 'Monitoring bus message stream' "$WORK/monitor.err" ||
		fail "busctl monitor did not start: $(cat "$WORK/monitor.err")"
}

monitor_stop() {
	if [ -n "$MONITOR_PID" ]; then
		kill "$MONITOR_PID" 2>/dev/null || true
		wait "$MONITOR_PID" 2>/dev/null || true
		MONITOR_PID=""
	fi
}

# monitor_has JQ_FILTER: true when a captured message satisfies the jq filter
monitor_has() {
	jq -e -s "map(select($1)) | length > 0" "$WORK/monitor.json" >/dev/null 2>&1
}

wait_signal() {
	wait_for monitor_has "$1" || fail "no signal matching $1 (captured: $(cat "$WORK/monitor.json"))"
}

daemon_alive() {
	kill -0 "$TDXD_PID" 2>/dev/null || fail "tdxd died"
	bctl get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager State >/dev/null ||
		fail "tdxd stopped answering"
}

# dsend METHOD [ARGS in dbus-send syntax, e.g. uint32:3 uint64:0x1000]: prints the reply or
# "Error NAME: message" (dbus-send shows error names, busctl only their messages).
dsend() {
	local method=$1
	shift
	dbus-send --system --print-reply --dest=org.tdxd.Tdx1 /org/tdxd/Tdx1 \
		"org.tdxd.Tdx1.Manager.$method" "$@" 2>&1
}

# expect_error NAME METHOD ARGS...: the call fails with that D-Bus error name
expect_error() {
	local name=$1 out
	shift
	out=$(dsend "$@") && fail "$1 succeeded, expected $name"
	assert_match "^Error $name: .+" "$out" "$* -> $name"
}
