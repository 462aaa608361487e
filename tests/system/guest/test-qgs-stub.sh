#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The lane's stand-in QGS outside the guest: it listens where qgs.conf says (the Unix socket
# here), removes the socket when stopped, refuses a config qgsd refuses, and a stop during
# --delay-ms ends it before it ever listens. usage: test-qgs-stub.sh QGS_STUB
set -euo pipefail
stub=$1
# under /tmp whatever TMPDIR says: a Unix socket path has 108 bytes at most
tmp=$(mktemp -d /tmp/qgs-stub.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_for CMD...: up to 120 s for a condition (a bound on a hang, not a timing assertion)
wait_for() {
	local i
	for ((i = 0; i < 2400; i++)); do
		"$@" && return 0
		kill -0 "$pid" 2>/dev/null || return 1 # the stub is gone: it will not happen
		sleep 0.05
	done
	return 1
}
# stop_stub: SIGTERM, then up to 120 s for the stub to exit (never an unbounded wait); the exit
# status in $rc
stop_stub() {
	local i
	kill -TERM "$pid"
	for ((i = 0; i < 2400; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && fail "the stub did not stop on SIGTERM: $(cat "$tmp/log")"
	rc=0
	wait "$pid" || rc=$?
	pid=""
}
# SIGTERM (15) is blocked once the stub is ready to handle it. Before the exec, the forked
# shell may block it for a moment too: the name must be the stub's already.
term_blocked() {
	local blk comm
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	[ "$comm" = "${stub##*/}" ] || return 1
	blk=$(sed -n 's/^SigBlk:\t//p' "/proc/$pid/status" 2>/dev/null) || return 1
	[ -n "$blk" ] && (((16#$blk >> 14) & 1))
}

# start_stub ARGS...: the stub in the background, its stderr in $tmp/log. The log is emptied
# here, before the fork: emptied by the child's redirection instead, a wait for its "listening"
# line could read the previous run's line first (seen on a loaded machine).
start_stub() {
	: >"$tmp/log"
	"$stub" "$@" 2>>"$tmp/log" &
	pid=$!
}

sock=$tmp/run/tdx-qgs/qgs.socket
printf '#set port number\n#port = 4050\nnumber_threads = 4\n' >"$tmp/qgs.conf"

# Unix socket: appears, is a socket, goes away on SIGTERM with exit status 0
start_stub --config "$tmp/qgs.conf" --socket "$sock"
# the log line is written after the socket exists: wait for both
wait_for grep -qx "qgs-stub: listening on $sock" "$tmp/log" || fail "log: $(cat "$tmp/log")"
[ -S "$sock" ] || fail "no socket at $sock: $(cat "$tmp/log")"
stop_stub
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
[ ! -e "$sock" ] || fail "socket left behind"
echo "ok   Unix socket: listens, removed on SIGTERM"

# A stale socket file of an earlier run is replaced
mkdir -p "${sock%/*}" && : >"$sock"
start_stub --config "$tmp/qgs.conf" --socket "$sock"
wait_for grep -qx "qgs-stub: listening on $sock" "$tmp/log" ||
	fail "stale file not replaced: $(cat "$tmp/log")"
[ -S "$sock" ] || fail "stale file not replaced by a socket"
stop_stub
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
echo "ok   stale socket file replaced"

# A stop during the delay: exit 0, no socket ever
start_stub --config "$tmp/qgs.conf" --socket "$sock" --delay-ms 600000
wait_for term_blocked || fail "the stub never blocked SIGTERM"
stop_stub
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM during the delay"
[ ! -e "$sock" ] || fail "socket created during the delay"
echo "ok   stop during --delay-ms: no socket"

# --hold: no socket until SIGUSR1, then it listens
usr1_blocked() {
	local blk
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${stub##*/}" ] || return 1
	blk=$(sed -n 's/^SigBlk:\t//p' "/proc/$pid/status" 2>/dev/null) || return 1
	[ -n "$blk" ] && (((16#$blk >> 9) & 1))
}
start_stub --config "$tmp/qgs.conf" --socket "$sock" --hold
wait_for usr1_blocked || fail "the stub never blocked SIGUSR1 for --hold"
[ ! -e "$sock" ] || fail "--hold: a socket before SIGUSR1"
kill -USR1 "$pid"
wait_for grep -qx "qgs-stub: listening on $sock" "$tmp/log" || fail "--hold: not listening after SIGUSR1: $(cat "$tmp/log")"
[ -S "$sock" ] || fail "--hold: no socket after SIGUSR1"
stop_stub
[ "$rc" = 0 ] || fail "--hold: exit status $rc after SIGTERM"
echo "ok   --hold: listens on SIGUSR1 only"

# What qgsd refuses, the stub refuses, naming the file and line
printf 'number_threads = 4\nport = 40x\n' >"$tmp/bad.conf"
rc=0
"$stub" --config "$tmp/bad.conf" --socket "$sock" 2>"$tmp/log" || rc=$?
[ "$rc" = 1 ] || fail "broken config: exit status $rc"
grep -qF "$tmp/bad.conf: line 2: port \"40x\" is not a number up to 4294967295" "$tmp/log" ||
	fail "broken config: $(cat "$tmp/log")"
echo "ok   broken qgs.conf refused: $(cat "$tmp/log")"

# Bad arguments
rc=0
"$stub" --delay-ms soon 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--delay-ms soon: exit status $rc"
echo "ok   bad --delay-ms refused"
