# SPDX-License-Identifier: LGPL-2.1-or-later
# Attestation readiness on a live host (docs/readiness.md, *Attestation checks*): the stand-in
# qgsd (guest/README.attestation) listening on /var/run/tdx-qgs/qgs.socket, the SGX device nodes
# of sgx_sim and a cpuinfo with the SGX flags. tdxd asks systemd for the unit's state and
# follows its changes: stopping qgsd turns AttestationReady false with a PropertiesChanged and
# no Refresh(), starting it turns it back, State stays ready throughout. A unit that is active
# before it listens is judged again when its socket appears (inotify). Deadlines are generous
# (a loaded TCG guest), they are not timing assertions.

att_ready() { prop AttestationReady; }
att_reason() { busctl -j get-property "${TDXD_BUS[@]}" AttestationReason | jq -r .data; }
check_of() { # ID FIELD(2 result, 3 summary, 4 hint)
	busctl -j get-property "${TDXD_BUS[@]}" Checks | jq -r --arg id "$1" --argjson f "$2" \
		'.data[] | select(.[0] == $id) | .[$f]'
}
att_checks() {
	busctl -j get-property "${TDXD_BUS[@]}" Checks |
		jq -c '[.data[] | select(.[1] == "attestation") | [.[0], .[2], .[3]]]'
}

# PropertiesChanged of tdxd as JSON lines (busctl monitor), from here on.
pc_start() {
	SYS_PC=$(mktemp)
	busctl --json=short monitor --match \
		"type='signal',sender='org.tdxd.Tdx1',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'" \
		>"$SYS_PC" 2>/dev/null &
	SYS_PC_PID=$!
	sleep 1 # the match must be in place before the scenario acts
}
pc_stop() { kill "$SYS_PC_PID" 2>/dev/null; wait "$SYS_PC_PID" 2>/dev/null; }
# pc_has JQ: a captured PropertiesChanged whose dict of changed properties satisfies JQ
pc_has() {
	jq -e -s "map(.payload.data[1] // {} | select($1)) | length > 0" "$SYS_PC" >/dev/null 2>&1
}
expect_pc() { # WHAT JQ SECONDS
	SYS_JQ=$2
	if wait_for "$3" eval 'pc_has "$SYS_JQ"'; then pass "$1"
	else fail "$1: no PropertiesChanged with $2; seen: $(jq -c '.payload.data[1] | keys' "$SYS_PC" 2>/dev/null | tr '\n' ' ')"; fi
}

wait_state ready 120 || { fail "State is not ready: $(prop State) $(prop StateReason)"; return; }

# --- everything present ---------------------------------------------------------------------
expect_eq "qgsd.service" "$(systemctl is-active qgsd.service)" active
[ -c /dev/sgx_enclave ] && [ -c /dev/sgx_provision ] &&
	pass "sgx_sim: /dev/sgx_enclave and /dev/sgx_provision are character devices" ||
	fail "sgx_sim: device nodes missing: $(ls -l /dev/sgx* 2>&1)"
if wait_for 60 eval '[ "$(att_ready)" = true ]'; then
	pass "AttestationReady true: $(att_reason)"
else
	fail "AttestationReady is $(att_ready): $(att_reason); checks: $(att_checks)"
	return
fi
expect_eq "sgx" "$(check_of sgx 2)" pass
expect_eq "sgx-devices" "$(check_of sgx-devices 2)" pass
expect_eq "quote-service" "$(check_of quote-service 2)" pass
summary=$(check_of quote-service 3)
[[ $summary == *"(qgsd.service) runs and listens on /var/run/tdx-qgs/qgs.socket"* ]] &&
	pass "quote-service asked systemd: $summary" || fail "quote-service summary: $summary"
# no EFI under SeaBIOS, no QCNL config in the image
expect_eq "platform-registration (no EFI)" "$(check_of platform-registration 2)" skip
expect_eq "collateral-service (no QCNL config)" "$(check_of collateral-service 2)" warn

# --- qgsd stops: PropertiesChanged, no Refresh ------------------------------------------------
pc_start
systemctl stop qgsd.service
expect_pc "stop: PropertiesChanged carries AttestationReady false" \
	'has("AttestationReady") and .AttestationReady.data == false' 60
expect_eq "stop: AttestationReady" "$(att_ready)" false
reason=$(att_reason)
[[ $reason == *"the Quote Generation Service (qgsd.service) is not running"* ]] &&
	pass "stop: AttestationReason: $reason" || fail "stop: AttestationReason: $reason"
hint=$(check_of quote-service 4)
[[ $hint == *"systemctl enable --now qgsd.service"* ]] && pass "stop: hint: $hint" ||
	fail "stop: quote-service hint: $hint"
expect_eq "stop: State" "$(prop State)" '"ready"'
pc_has 'has("State")' && fail "stop: State was in a PropertiesChanged" ||
	pass "stop: no PropertiesChanged of State"
pc_stop

# --- qgsd starts again ------------------------------------------------------------------------
pc_start
systemctl start qgsd.service
expect_pc "start: PropertiesChanged carries AttestationReady true" \
	'has("AttestationReady") and .AttestationReady.data == true' 60
expect_eq "start: AttestationReady" "$(att_ready)" true
expect_eq "start: State" "$(prop State)" '"ready"'
pc_stop

# --- active before it listens: the socket's appearance is judged (inotify) -------------------
mkdir -p /run/systemd/system/qgsd.service.d
# --hold: the stub listens only when this scenario says so (SIGUSR1), whatever the host's speed
printf '[Service]\nExecStart=\nExecStart=/usr/lib/tdxd-system/qgs-stub --hold\n' \
	>/run/systemd/system/qgsd.service.d/delay.conf
systemctl daemon-reload
pc_start
systemctl restart qgsd.service
expect_pc "delayed: active without the socket is a finding" \
	'has("AttestationReason") and (.AttestationReason.data | test("is active but /var/run/tdx-qgs/qgs.socket does not exist"))' 60
[ ! -e /var/run/tdx-qgs/qgs.socket ] && pass "delayed: no socket while held" ||
	fail "delayed: a socket before the release"
systemctl kill -s USR1 --kill-whom=main qgsd.service
expect_pc "delayed: AttestationReady true once the socket exists, without Refresh" \
	'has("AttestationReady") and .AttestationReady.data == true' 60
[ -S /var/run/tdx-qgs/qgs.socket ] && pass "delayed: the socket exists" ||
	fail "delayed: no socket"
expect_eq "delayed: State" "$(prop State)" '"ready"'
pc_stop
rm -f /run/systemd/system/qgsd.service.d/delay.conf
systemctl daemon-reload

# --- the SGX device nodes go away: Refresh reads the files again ----------------------------
rmmod sgx_sim || fail "rmmod sgx_sim"
busctl call "${TDXD_BUS[@]}" Refresh >/dev/null
wait_for 30 eval '[ "$(check_of sgx-devices 2)" = fail ]' &&
	pass "rmmod sgx_sim + Refresh: sgx-devices fails: $(check_of sgx-devices 3)" ||
	fail "rmmod sgx_sim + Refresh: sgx-devices is $(check_of sgx-devices 2)"
expect_eq "no devices: AttestationReady" "$(att_ready)" false
expect_eq "no devices: State" "$(prop State)" '"ready"'
modprobe sgx_sim || fail "modprobe sgx_sim"
wait_for 30 eval '[ -c /dev/sgx_enclave ]'
busctl call "${TDXD_BUS[@]}" Refresh >/dev/null
wait_for 30 eval '[ "$(att_ready)" = true ]' && pass "modprobe sgx_sim + Refresh: AttestationReady true" ||
	fail "modprobe sgx_sim + Refresh: AttestationReady $(att_ready): $(att_reason)"

# The JSON document and tdxctl status agree.
caps=$(busctl -j call "${TDXD_BUS[@]}" GetCapabilities | jq -r '.data[0]')
expect_eq "GetCapabilities attestation.ready" "$(jq -c .attestation.ready <<<"$caps")" true
tdxctl status | grep -q '^ *Attestation: ready: ' && pass "tdxctl status shows Attestation ready" ||
	fail "tdxctl status: $(tdxctl status | grep -i attestation)"
