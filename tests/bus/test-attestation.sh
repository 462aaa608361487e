#!/usr/bin/env bash
# AttestationReady and AttestationReason (docs/readiness.md, *Attestation checks*) on the bus:
# their values on a host with everything present and on one with a failure, their place in the
# introspection data, and PropertiesChanged when the files change and Refresh() (or
# GetCapabilities()) reads them again. Under --root the units' states are not asked: the files
# alone are judged.
. "$(dirname "$0")/lib.sh"

att_prop_json() {
	prop_json "$1" | jq -c '.data'
}

# 1. Everything present: ready, and the five checks pass in the Checks property.
bus_setup attest-ready
assert_eq ready "$(prop State)" "attest-ready: State"
assert_eq true "$(att_prop_json AttestationReady)" "attest-ready: AttestationReady"
assert_eq "attestation is available" "$(prop AttestationReason)" "attest-ready: AttestationReason"
checks=$(prop_json Checks | jq -c '[.data[] | select(.[1] == "attestation") | [.[0], .[2]]]')
assert_eq '[["sgx","pass"],["sgx-devices","pass"],["platform-registration","pass"],["quote-service","pass"],["collateral-service","pass"]]' \
	"$checks" "attest-ready: the five attestation checks pass, in order, after the others"
after=$(prop_json Checks | jq -r '.data | map(.[0]) | .[index("memory-auto-online") + 1]')
assert_eq sgx "$after" "attest-ready: the attestation checks follow the sixteen"
caps=$(call GetCapabilities --json=short | jq -c '.data[0] | fromjson | .attestation')
assert_eq '{"ready":true,"reason":"attestation is available"}' "$caps" \
	"attest-ready: GetCapabilities carries the attestation object"

# 2. Introspection: both properties, emitting change.
bctl introspect org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager >"$WORK/table.txt"
grep -Eq '^\.AttestationReady +property +b +true +emits-change' "$WORK/table.txt" ||
	fail "busctl introspect: AttestationReady b emits-change ($(grep Attestation "$WORK/table.txt"))"
grep -Eq '^\.AttestationReason +property +s +"attestation is available" +emits-change' \
	"$WORK/table.txt" ||
	fail "busctl introspect: AttestationReason s emits-change ($(grep Attestation "$WORK/table.txt"))"
pass "busctl introspect shows AttestationReady and AttestationReason, emitting change"

# 3. The QGS socket goes away: Refresh() reads the files again, PropertiesChanged says so, and
#    State does not move (the attestation checks never change it).
monitor_start
rm "$ROOT/var/run/tdx-qgs/qgs.socket"
call Refresh >/dev/null
wait_signal '.member == "PropertiesChanged" and (.payload.data[1] | has("AttestationReady"))
	and .payload.data[1].AttestationReady.data == false
	and (.payload.data[1] | has("AttestationReason")) and (.payload.data[1] | has("Checks"))
	and (.payload.data[1] | has("State") | not)'
pass "PropertiesChanged carries AttestationReady false, AttestationReason and Checks, not State"
assert_eq false "$(att_prop_json AttestationReady)" "socket gone: AttestationReady"
assert_match '^attestation is not available: the Quote Generation Service does not listen: /var/run/tdx-qgs/qgs.socket does not exist' \
	"$(prop AttestationReason)" "socket gone: AttestationReason says why"
assert_eq ready "$(prop State)" "socket gone: State stays ready"
result=$(prop_json Checks | jq -r '.data[] | select(.[0] == "quote-service") | .[2]')
assert_eq fail "$result" "socket gone: quote-service fails"
hint=$(prop_json Checks | jq -r '.data[] | select(.[0] == "quote-service") | .[4]')
assert_match 'systemctl enable --now qgsd.service' "$hint" "socket gone: the hint names the unit"
monitor_stop

# 4. It comes back: GetCapabilities() alone reads the files again, publishes, and answers with
#    the new view.
monitor_start
: >"$ROOT/var/run/tdx-qgs/qgs.socket"
caps=$(call GetCapabilities --json=short | jq -c '.data[0] | fromjson | .attestation.ready')
assert_eq true "$caps" "socket back: GetCapabilities answers attestation.ready true"
wait_signal '.member == "PropertiesChanged" and .payload.data[1].AttestationReady.data == true'
pass "PropertiesChanged carries AttestationReady true after GetCapabilities"
assert_eq true "$(att_prop_json AttestationReady)" "socket back: AttestationReady"
monitor_stop

# 5. A host with a failure: false, and the reason names it.
bus_stop_daemon
rm -rf "$ROOT"
cp -a "$FIXTURES/attest-sgx-devices-missing" "$ROOT"
bus_start_daemon
assert_eq ready "$(prop State)" "attest-sgx-devices-missing: State"
assert_eq false "$(att_prop_json AttestationReady)" "attest-sgx-devices-missing: AttestationReady"
assert_eq "attestation is not available: /dev/sgx_enclave and /dev/sgx_provision do not exist" \
	"$(prop AttestationReason)" "attest-sgx-devices-missing: AttestationReason"

# 6. A host whose TDX is not up: attestation is not available, whatever the files say.
bus_stop_daemon
rm -rf "$ROOT"
cp -a "$FIXTURES/bios-disabled" "$ROOT"
bus_start_daemon
assert_eq false "$(att_prop_json AttestationReady)" "bios-disabled: AttestationReady"
assert_match '^attestation is not available: TDX is not up \(State unsupported\)' \
	"$(prop AttestationReason)" "bios-disabled: AttestationReason names State"
daemon_alive
