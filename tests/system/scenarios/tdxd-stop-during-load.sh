# SPDX-License-Identifier: LGPL-2.1-or-later
# SIGTERM during the module load (issue 12): the stand-in core holds the TDX module
# initialization (hold_enable), so tdx_kvm_sim's init_module, started by `tdxctl enable`, stays
# in the kernel while `systemctl stop tdxd` runs. tdxd must say that it waits for the load, keep
# running past the unit's stop timeout (18 s in this boot, groups/stop-load; tdxd extends it),
# exit 0 once the load has ended, and its next start must read the initialized module without
# loading it again. The caller of EnableTDX() gets an error when tdxd goes away, not a hang.
# Every wait is bounded generously: the bounds detect hangs, they do not pace the test.
core=/sys/module/tdx_core_sim/parameters
kvm=/sys/module/tdx_kvm_sim
tmp=$(mktemp -d)
release() { [ -w $core/hold_enable ] && echo 0 >$core/hold_enable; }
# A held load would also hold the poweroff after the scenarios: release it on every way out.
trap 'release; rm -rf "$tmp"' EXIT
trap 'exit 1' TERM INT
show() { systemctl show -P "$1" tdxd; }

stopping_re="^Stopping once the module load ends \(a module's initialization cannot be interrupted\): Loading tdx_kvm_sim with tdx=1 \([0-9]+ s so far: the kernel allocates TDX memory metadata, PAMT\)\.$"
ended_line="The module load has ended; tdxd exits, and its next start reads what the kernel did."

# --- before: nothing loaded, TDX off (EnableTDX=no) ---------------------------------------------
expect_eq "State (EnableTDX=no)" "$(prop State)" '"disabled"'
if [ ! -e $kvm ]; then pass "tdx_kvm_sim not loaded"; else fail "tdx_kvm_sim already loaded: $(cat $kvm/initstate)"; fi
expect_file_exact "TDX module not initialized" /sys/firmware/tdx/tdx_module/status unknown
pid=$(show MainPID)
dmesg_mark
journal_mark

# --- a held load, started through tdxd ---------------------------------------------------------
echo 1 >$core/hold_enable
expect_eq "hold_enable" "$(cat $core/hold_enable)" Y
( tdxctl enable >"$tmp"/enable.out 2>&1; echo $? >"$tmp"/enable.rc ) &
loaded() { [ "$(cat $kvm/initstate 2>/dev/null)" = coming ]; }
if wait_for 120 loaded; then pass "tdx_kvm_sim's init_module runs (initstate coming)"
else fail "tdx_kvm_sim never reached initstate coming: $(cat $kvm/initstate 2>&1)"; fi
loading_logged() { journal_new | grep -qx "Loading tdx_kvm_sim with tdx=1."; }
if wait_for 120 loading_logged; then pass "journal: Loading tdx_kvm_sim with tdx=1."
else fail "no 'Loading tdx_kvm_sim with tdx=1.' line; last: $(journal_new | tail -n 3)"; fi
expect_eq "State while loading" "$(prop State)" '"starting"'
# While the kernel still runs the KVM module's init (which registered kvm/cpu/tdx:online before
# it initializes the TDX module), a probe must not take the module for initialized: no record
# of the TDX memory yet. Refresh() reads the host off the loop while the load is in the worker.
if timeout 120 busctl call "${TDXD_BUS[@]}" Refresh >/dev/null; then pass "Refresh() answered during the load"
else fail "Refresh() during the load failed or hung"; fi
if [ -e /run/tdxd/tdx-memory ]; then fail "/run/tdxd/tdx-memory written during the load: $(cat /run/tdxd/tdx-memory)"
else pass "no TDX memory record while the module initialization is held"; fi
if journal_new | grep -q "Memory gate: recorded the TDX memory"; then fail "journal: the TDX memory was recorded during the load"
else pass "journal: no TDX memory record during the load"; fi
expect_eq "State after Refresh() during the load" "$(prop State)" '"starting"'

# --- SIGTERM under the load: tdxd says it waits, and does -------------------------------------
systemctl stop --no-block tdxd
stopping_logged() { journal_new | grep -qE -- "$stopping_re"; }
if wait_for 120 stopping_logged; then pass "journal: $(journal_new | grep -E -- "$stopping_re" | head -n1)"
else fail "no 'Stopping once the module load ends' line; last: $(journal_new | tail -n 3)"; fi
# From here on the stop timeout (systemd armed it before sending SIGTERM) runs out at the latest.
t_stop=$(cut -d' ' -f1 /proc/uptime)
expect_eq "unit while tdxd waits" "$(show ActiveState)/$(show SubState)" deactivating/stop-sigterm
expect_eq "MainPID unchanged" "$(show MainPID)" "$pid"
if kill -0 "$pid" 2>/dev/null; then pass "tdxd (pid $pid) still runs under the load"; else fail "tdxd (pid $pid) is gone"; fi
expect_eq "tdx_kvm_sim initstate (held)" "$(cat $kvm/initstate 2>&1)" coming
# tdxd left the bus before it began to wait: a caller is told at once, not left to time out
out=$(timeout 60 busctl get-property "${TDXD_BUS[@]}" State 2>&1) && rc=0 || rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 124 ] && ! grep -qi "timed out" <<<"$out"; then pass "while tdxd waits, its bus name is gone: $out"
else fail "get-property while tdxd waits: exit $rc: $out"; fi

# Past the stop timeout: systemd would have killed tdxd by now had tdxd not extended it
# (EXTEND_TIMEOUT_USEC= with STATUS= "Stopping after: ...", every 10 s). Waited for is the
# timeout itself, plus 2 s of timer slack: that wait is what is tested, not a guess at speed.
expect_eq "TimeoutStopUSec of this boot (groups/stop-load drop-in)" "$(show TimeoutStopUSec)" 18s
past_timeout() { awk -v t0="$t_stop" '{ exit !($1 - t0 > 20) }' /proc/uptime; }
if wait_for 120 past_timeout; then pass "20 s since the stop line: the 18 s stop timeout has passed"
else fail "/proc/uptime does not advance"; fi
stop_status() { [[ $(show StatusText) == "Stopping after: Loading tdx_kvm_sim with tdx=1 ("* ]]; }
if wait_for 60 stop_status; then pass "StatusText: $(show StatusText)"
else fail "no 'Stopping after' status (sent with EXTEND_TIMEOUT_USEC=); StatusText: $(show StatusText)"; fi
expect_eq "unit past the stop timeout" "$(show ActiveState)/$(show SubState)/$(show Result)" deactivating/stop-sigterm/success
if kill -0 "$pid" 2>/dev/null; then pass "tdxd (pid $pid) still waits"; else fail "tdxd (pid $pid) is gone before the load ended"; fi
expect_eq "tdx_kvm_sim initstate (still held)" "$(cat $kvm/initstate 2>&1)" coming

# --- the load ends: tdxd exits 0 -----------------------------------------------------------------
release
inactive() { [ "$(show ActiveState)" = inactive ]; }
if wait_for 120 inactive; then pass "tdxd stopped once the load ended"
else fail "tdxd did not stop: $(show ActiveState)/$(show SubState)"; fi
expect_eq "Result" "$(show Result)" success
expect_eq "ExecMainCode (1 = exited)" "$(show ExecMainCode)" 1
expect_eq "ExecMainStatus" "$(show ExecMainStatus)" 0
expect_eq "NRestarts" "$(show NRestarts)" 0
expect_eq "systemctl is-failed" "$(systemctl is-failed tdxd)" inactive
if kill -0 "$pid" 2>/dev/null; then fail "pid $pid still exists"; else pass "pid $pid has exited"; fi
if journal_new | grep -qxF -- "$ended_line"; then pass "journal: $ended_line"
else fail "no '$ended_line' line; last: $(journal_new | tail -n 3)"; fi
n_stop=$(journal_new | grep -cE -- "$stopping_re") n_end=$(journal_new | grep -cxF -- "$ended_line")
l_stop=$(journal_new | grep -nE -- "$stopping_re" | head -n1 | cut -d: -f1)
l_end=$(journal_new | grep -nxF -- "$ended_line" | head -n1 | cut -d: -f1)
if [ "$n_stop/$n_end" = 1/1 ] && [ "${l_stop:-0}" -lt "${l_end:-0}" ]; then
	pass "each line once, 'Stopping once' before 'has ended'"
else fail "'Stopping once' $n_stop times (line ${l_stop:-none}), 'has ended' $n_end times (line ${l_end:-none})"; fi
crash=$(journalctl -b --no-pager -o cat | grep -iE "tdxd.*(dumped core|core dump)|Process [0-9]+ \(tdxd\) of user" | head -n 3)
if [ -z "$crash" ]; then pass "no core dump of tdxd"; else fail "core dump: $crash"; fi
sysd=$(journalctl -b --no-pager -o cat -u tdxd --since "@$SYS_JOURNAL_SINCE" | grep -iE "timed out|killing|failed with result" | head -n 3)
if [ -z "$sysd" ]; then pass "systemd neither timed out nor killed tdxd"; else fail "systemd: $sysd"; fi

expect_eq "tdx_kvm_sim initstate" "$(cat $kvm/initstate 2>&1)" live
expect_eq "tdx_kvm_sim tdx" "$(cat $kvm/parameters/tdx 2>&1)" Y
expect_log "kernel" "virt/tdx: module initialized"
expect_no_log "no SEAMCALL failure" "SEAMCALL|initialization failed"
expect_file_exact "TDX module status" /sys/firmware/tdx/tdx_module/status initialized

# The EnableTDX() caller: its reply never came; the bus tells it when tdxd disconnects.
enable_ended() { [ -s "$tmp"/enable.rc ]; }
if wait_for 60 enable_ended; then
	rc=$(cat "$tmp"/enable.rc) out=$(cat "$tmp"/enable.out)
	if [ "$rc" != 0 ] && [[ $out == "tdxctl: enable: "* ]]; then pass "tdxctl enable failed (exit $rc): $out"
	else fail "tdxctl enable: exit $rc: $out"; fi
else fail "tdxctl enable still waits after tdxd exited: $(cat "$tmp"/enable.out)"; fi

# --- the next start reads what the kernel did -------------------------------------------------------
dmesg_mark
journal_mark
if timeout 120 systemctl start tdxd; then pass "systemctl start tdxd"; else fail "systemctl start tdxd: $(show ActiveState)/$(show Result)"; fi
if wait_state ready 60; then pass "State ready"; else fail "State: $(prop State) $(prop StateReason)"; fi
expect_eq "KVMTDXEnabled" "$(prop KVMTDXEnabled)" true
expect_no_log "no second load" "^virt/tdx: |tdx_kvm_sim"
expect_eq "'module initialized' lines this boot" "$(dmesg -t | grep -cxF 'virt/tdx: module initialized')" 1
if journal_new | grep -qE "^(Re)?[Ll]oading tdx_kvm_sim"; then fail "tdxd loaded again: $(journal_new | grep -E "^(Re)?[Ll]oading tdx_kvm_sim")"
else pass "tdxd did not load tdx_kvm_sim again"; fi
if [ "$(show MainPID)" != "$pid" ] && [ "$(show MainPID)" != 0 ]; then pass "a new tdxd runs (pid $(show MainPID))"
else fail "MainPID: $(show MainPID)"; fi
