#!/usr/bin/env bash
# UpdateModule (docs/readiness.md, *Module currency and lifecycle*) on a v7.2 tree: the test
# plays the kernel's firmware-upload files (sys/class/firmware/tdx_module) while tdxd uploads.
# A good image ends in ModuleUpdateFinished and a new ModuleVersion; a bad one is refused with
# InvalidImage before anything is written; no updates left is NotSupported; a non-root caller
# without polkit is refused naming the polkit action.
. "$(dirname "$0")/lib.sh"

bus_setup gnr-2s-v7.2-ready
TH=$ROOT/sys/devices/faux/tdx_host
FW=$TH/firmware/tdx_module
: >"$FW/data" # sysfs has it; the fixture tree does not store the binary attribute

# make_image FILE [SIGNATURE]: a header with 1 sigstruct and 2 module pages, then the pages
make_image() {
	python3 - "$1" "${2:-TDX-BLOB}" <<'PY'
import struct, sys
hdr = struct.pack("<HH8sII", 0x200, 0, sys.argv[2].encode(), 1, 2)
hdr += bytes(4096 - len(hdr))
open(sys.argv[1], "wb").write(hdr + bytes([0x5a]) * 3 * 4096)
PY
	chmod 644 "$1"
}
make_image "$WORK/good.bin"
make_image "$WORK/bad.bin" TDX-BLAB

# errors on the bus, with their names
busctl --system --json=short monitor --match "type='error',sender='org.tdxd.Tdx1'" \
	>"$WORK/errors.json" 2>"$WORK/errors.err" &
wait_for grep -q 'Monitoring bus message stream' "$WORK/errors.err" ||
	fail "busctl monitor did not start: $(cat "$WORK/errors.err")"
error_seen() {
	jq -e -s --arg n "$1" 'map(select(.error_name == $n)) | length > 0' "$WORK/errors.json" \
		>/dev/null 2>&1
}

assert_eq 2.0.01 "$(prop SEAMLoaderVersion)" "SEAMLoaderVersion from tdx_host/seamldr_version"
assert_eq 14 "$(prop ModuleUpdatesRemaining)" "ModuleUpdatesRemaining from num_remaining_updates"
assert_eq idle "$(prop ModuleUpdate)" "ModuleUpdate idle where the kernel offers updates"
assert_eq 1.5.20 "$(prop ModuleVersion)" "ModuleVersion before"

# a bad signature: refused by name, nothing handed to the kernel
out=$(tctl update-module "$WORK/bad.bin" 2>&1) && fail "a bad image was accepted"
assert_match 'Not a TDX module image: .*signature.*TDX-BLAB' "$out" "bad image: the message names the field"
wait_for error_seen org.tdxd.Tdx1.Error.InvalidImage || fail "no InvalidImage error on the bus"
pass "bad image: org.tdxd.Tdx1.Error.InvalidImage"
assert_eq 0 "$(stat -c %s "$FW/data")" "bad image: nothing written to data"
assert_eq 0 "$(cat "$FW/loading")" "bad image: loading untouched"

# a non-root caller, no polkit on the bus: refused naming the action
out=$(as_nobody "$TDXCTL" --no-ask-password update-module "$WORK/good.bin" 2>&1) &&
	fail "a non-root caller updated the module"
assert_match 'org\.tdxd\.Tdx1\.update-module' "$out" "non-root: the refusal names the polkit action"
assert_eq 0 "$(stat -c %s "$FW/data")" "non-root: nothing written"

# A good image: the kernel (this script) takes it and reports a new version. `loading` and
# `data` are FIFOs, so each of tdxd's writes waits for this "kernel" to read it: the status
# words are in place before tdxd reads them, with no sleeps to tune.
rm "$FW/loading" "$FW/data"
mkfifo "$FW/loading" "$FW/data"
# put FILE VALUE: as sysfs shows a value, whole (a shell's ">" truncates first, and tdxd's
# polling could read the empty file in between)
put() {
	printf '%s\n' "$2" >"$1.new" && mv "$1.new" "$1"
}
# take_image: the upload up to the hand-off; the image ends up in $WORK/data.out
take_image() {
	local l
	read -r l <"$FW/loading" || true # "1": the upload starts
	[ "$l" = 1 ] || { echo "kernel: loading got '$l', not 1" >"$WORK/kernel.err"; return 1; }
	put "$FW/status" receiving
	cat "$FW/data" >"$WORK/data.out"
	read -r l <"$FW/loading" || true # "0": the kernel has the image
	[ "$l" = 0 ] || { echo "kernel: loading got '$l', not 0" >"$WORK/kernel.err"; return 1; }
	put "$FW/status" programming
	put "$FW/remaining_size" 0
}
play_kernel() {
	take_image || return
	sleep 0.5 # the update runs while tdxd keeps answering (ModuleUpdate is checked below)
	put "$TH/version" 1.5.24
	put "$TH/num_remaining_updates" 13
	put "$FW/error" ""
	put "$FW/status" idle
}
play_kernel &
monitor_start
out=$(tctl update-module "$WORK/good.bin" 2>&1) || fail "the update failed: $out"
[ -s "$WORK/kernel.err" ] && fail "$(cat "$WORK/kernel.err")"
assert_match 'updated from 1\.5\.20 to 1\.5\.24' "$out" "tdxctl update-module says both versions"
wait_signal '.member == "ModuleUpdateFinished" and .payload.data[0] == "done" and .payload.data[1] == "1.5.20" and .payload.data[2] == "1.5.24"'
pass "ModuleUpdateFinished(done, 1.5.20, 1.5.24, ...)"
cmp -s "$WORK/good.bin" "$WORK/data.out" || fail "data did not get the image"
pass "the image was written to data"
assert_eq 1.5.24 "$(prop ModuleVersion)" "ModuleVersion re-read after the update"
assert_eq 13 "$(prop ModuleUpdatesRemaining)" "ModuleUpdatesRemaining re-read"
assert_eq idle "$(prop ModuleUpdate)" "ModuleUpdate idle again"
monitor_has '.member == "PropertiesChanged" and .payload.data[1].ModuleUpdate.data == "running"' ||
	fail "ModuleUpdate was never published as running"
pass "ModuleUpdate was running meanwhile"
monitor_has '.member == "PropertiesChanged" and (.payload.data[1] | has("ModuleVersion"))' ||
	fail "no PropertiesChanged for ModuleVersion"
pass "PropertiesChanged names ModuleVersion"

# a failed update: the kernel reports an error, the module stays usable
play_failure() {
	take_image || return
	put "$FW/error" "programming:firmware-invalid"
	put "$FW/status" idle
}
play_failure &
out=$(tctl update-module "$WORK/good.bin" 2>&1) && fail "a failed update reported success: $out"
[ -s "$WORK/kernel.err" ] && fail "$(cat "$WORK/kernel.err")"
assert_match 'update failed: .*firmware-invalid.*still runs 1\.5\.24' "$out" "failed update: the kernel's error and the version kept"
wait_signal '.member == "ModuleUpdateFinished" and .payload.data[0] == "failed"'
pass "ModuleUpdateFinished(failed, ...)"
assert_eq failed "$(prop ModuleUpdate)" "ModuleUpdate failed after a failed update"
assert_eq ready "$(prop State)" "State stays ready while the module works"
rm "$FW/loading" "$FW/data"
put "$FW/loading" 0
: >"$FW/data"

# no updates left: refused before anything is written
put "$TH/num_remaining_updates" 0
call Refresh >/dev/null
assert_eq 0 "$(prop ModuleUpdatesRemaining)" "ModuleUpdatesRemaining 0 after Refresh"
before=$(md5sum <"$FW/data")
out=$(timeout 10 "$TDXCTL" update-module "$WORK/good.bin" 2>&1) && fail "an update with none left was accepted"
assert_match 'No runtime TDX module update is left.*reboot' "$out" "no updates left: the message and its hint"
wait_for error_seen org.tdxd.Tdx1.Error.NotSupported || fail "no NotSupported error on the bus"
pass "no updates left: org.tdxd.Tdx1.Error.NotSupported"
assert_eq "$before" "$(md5sum <"$FW/data")" "no updates left: nothing written"

# another tool updated the module: tdx_host's change event re-reads it
put "$TH/version" 1.5.30
send_uevent "change /devices/faux/tdx_host"
version_is() { [ "$(prop ModuleVersion)" = "$1" ]; }
wait_for version_is 1.5.30 ||
	fail "ModuleVersion not re-read after a change event of tdx_host: $(prop ModuleVersion)"
pass "a change event of tdx_host re-reads ModuleVersion"

daemon_alive
