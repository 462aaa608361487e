# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for scenario scripts (sourced by run-scenarios in the guest). A scenario calls
# pass/fail/skip once per assertion; the verdict lines go to the host. $SCENARIO is its name.
SYS_FAILED=0

_emit() { printf '%s %s: %s\n' "$1" "$SCENARIO" "$2"; printf '%s %s: %s\n' "$1" "$SCENARIO" "$2" >&5; }
pass() { _emit PASS "$*"; }
fail() { _emit FAIL "$*"; SYS_FAILED=1; }
skip() { _emit SKIP "$*"; }
note() { printf 'NOTE %s: %s\n' "$SCENARIO" "$*"; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1 = '$3'"; else fail "$1: got '$2', expected '$3'"; fi
}

# expect_file_exact WHAT FILE BYTES: the file holds exactly these bytes (no trailing newline
# unless given), compared as hex so a stray newline cannot hide.
expect_file_exact() {
	local got want
	got=$(od -An -v -tx1 "$2" 2>&1 | tr -d ' \n')
	want=$(printf '%s' "$3" | od -An -v -tx1 | tr -d ' \n')
	if [ "$got" = "$want" ]; then pass "$1: $2 reads exactly '$3'"; else
		fail "$1: $2 reads $(od -An -c "$2" 2>&1 | tr -s ' ' | head -c 200), expected '$3'"; fi
}

# Run a command that must fail with the given strerror text on stderr.
# expect_errno WHAT "Operation not permitted" cmd...
expect_errno() {
	local what=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1); rc=$?
	if [ $rc -ne 0 ] && [[ $out == *"$want"* ]]; then pass "$what fails: $want"
	else fail "$what: expected failure '$want', got status $rc: $out"; fi
}

# Write a sysfs file as a shell redirection does, reporting the errno text on failure.
sysfs_write() { # FILE VALUE
	local f=$1 v=$2
	( printf '%s\n' "$v" >"$f" ) 2>&1 | sed 's/^.*: //'
	return "${PIPESTATUS[0]}"
}

# Kernel log, without timestamps, and only what came after the last dmesg_mark.
SYS_DMESG_MARK=0
dmesg_mark() { SYS_DMESG_MARK=$(dmesg -t | wc -l); }
dmesg_new() { dmesg -t | tail -n +$((SYS_DMESG_MARK + 1)); }

# expect_log WHAT LINE [SOURCE-CMD]: the kernel log (since the mark) has this exact line.
expect_log() {
	if dmesg_new | grep -qxF -- "$2"; then pass "$1: log has '$2'"; else
		fail "$1: log lacks the exact line '$2'"; fi
}
expect_no_log() { # WHAT EXTENDED-REGEX
	local hit
	hit=$(dmesg_new | grep -E -- "$2" | head -n 3)
	if [ -z "$hit" ]; then pass "$1: no log line matches /$2/"; else fail "$1: unexpected log: $hit"; fi
}

# Ask the host to do something to this VM (QMP), and wait for its answer (0 = "ok").
# host dimm ID ADDR SIZE NODE    hot-add a pc-dimm (memory-backend-ram + device_add)
host() {
	local reply
	printf '%s\n' "$*" >&4
	if ! read -r -t 120 reply <&4; then
		echo "host did not answer '$*'" >&2
		return 1
	fi
	[ "$reply" = ok ] && return 0
	echo "host: $reply" >&2
	return 1
}

# wait_for SECONDS CMD...: poll until CMD succeeds. SECONDS is what the condition may need on a
# quiet host; the bound is SYS_WAIT_SCALE (4) times that, since a TCG guest on a loaded host
# runs several times slower, and it is a bound on a hang, not a speed limit: a true condition
# returns at once. It ends only when both that much guest time has passed (a poll itself may be
# slow under TCG) and as many polls were made: the guest clock of a starved TCG guest has been
# seen to jump forward, which alone would end every wait at once.
wait_for() {
	local limit=$(($1 * ${SYS_WAIT_SCALE:-4})) polls=0
	local end=$((SECONDS + limit))
	shift
	while :; do
		"$@" && return 0
		polls=$((polls + 1))
		[ $SECONDS -lt $end ] || [ $polls -lt $limit ] || return 1
		sleep 0.2
	done
}

# --- tdxd ---------------------------------------------------------------------------------
TDXD_BUS=(org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager)

# prop NAME: a property of the manager, as JSON data (strings with quotes), via busctl -j.
prop() { busctl -j get-property "${TDXD_BUS[@]}" "$1" | jq -c .data; }

# wait_state STATE [SECONDS]: until the State property reads STATE.
wait_state() {
	local want=$1 t=${2:-60} i
	for ((i = 0; i < t; i++)); do
		[ "$(prop State 2>/dev/null)" = "\"$want\"" ] && return 0
		sleep 1
	done
	return 1
}

# Signals of tdxd, one line each: "MEMBER arg arg ...", strings unquoted.
signals_start() {
	SYS_SIGNALS=$(mktemp)
	dbus-monitor --system "type='signal',sender='org.tdxd.Tdx1',path='/org/tdxd/Tdx1',interface='org.tdxd.Tdx1.Manager'" \
		>"$SYS_SIGNALS.raw" 2>&1 &
	SYS_SIGNALS_PID=$!
	sleep 1	# the match must be in place before the scenario acts
}
signals() {
	awk '/^signal / { if (line != "") print line; line = ""; sub(/.*member=/, ""); line = $0; next }
	     /^   (uint32|uint64|string|boolean|int32)/ { v = $0; sub(/^ *[a-z0-9]+ /, "", v); gsub(/"/, "", v); line = line " " v }
	     END { if (line != "") print line }' "$SYS_SIGNALS.raw"
}
signals_stop() { kill "$SYS_SIGNALS_PID" 2>/dev/null; wait "$SYS_SIGNALS_PID" 2>/dev/null; }
# expect_signal WHAT REGEX [SECONDS]: a signal line matching REGEX arrives.
expect_signal() {
	SYS_RE=$2
	if wait_for "${3:-10}" eval 'signals | grep -qE -- "$SYS_RE"'; then
		pass "$1: signal '$(signals | grep -E -- "$2" | head -n1)'"
	else fail "$1: no signal matching /$2/; seen: $(signals | tr '\n' ';')"; fi
}

# Journal of tdxd since a mark (wall-clock, one second early so nothing is missed).
journal_mark() { SYS_JOURNAL_SINCE=$(($(date +%s) - 1)); }
journal_new() { journalctl -u tdxd --no-pager -o cat --since "@$SYS_JOURNAL_SINCE" "$@"; }
# expect_journal WHAT REGEX [REGEX2]: a tdxd journal line since journal_mark matches both
# (case-insensitive); polled, as journald may write it after the bus signal arrived.
expect_journal() {
	SYS_RE=$2 SYS_RE2=${3:-.}
	if wait_for 15 eval 'journal_new | grep -iE -- "$SYS_RE" | grep -qiE -- "$SYS_RE2"'; then
		pass "$1: journal: $(journal_new | grep -iE -- "$SYS_RE" | grep -iE -- "$SYS_RE2" | head -n1)"
	else fail "$1: no tdxd journal line matching /$2/ and /${3:-.}/; last: $(journal_new | tail -n 3)"; fi
}
