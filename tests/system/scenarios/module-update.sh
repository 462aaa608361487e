# SPDX-License-Identifier: LGPL-2.1-or-later
# Runtime TDX module update with `tdxctl update-module` against tdx_fwupload_sim's
# firmware-upload files (sys/class/firmware/tdx_module): a bad signature is refused before
# anything is written, a good image changes ModuleVersion and ends in ModuleUpdateFinished, a
# failed update leaves the module unusable (State failed until reboot), and with no update
# left the call is refused and the module untouched. Runs last in its boot: it uses up the
# stand-in's updates and breaks its module.
TH=/sys/devices/faux/tdx_host
FW=/sys/class/firmware/tdx_module
prop() {
	busctl get-property org.tdxd.Tdx1 /org/tdxd/Tdx1 org.tdxd.Tdx1.Manager "$1" |
		sed -E 's/^[a-z]+ //; s/^"(.*)"$/\1/'
}
# image FILE SIGNATURE: a 4,096-byte header (version 0x200, 1 sigstruct and 1 module page)
# and its 2 pages
image() {
	{
		printf '\000\002\000\000%s\001\000\000\000\001\000\000\000' "$2"
		head -c $((4076 + 2 * 4096)) /dev/zero
	} >"$1"
}
image /tmp/good.img TDX-BLOB
image /tmp/bad.img TDX-BLAB

[ -d $FW ] || { fail "no $FW: tdx_fwupload_sim is not loaded"; return; }
expect_eq "ModuleUpdate" "$(prop ModuleUpdate)" idle
expect_eq "ModuleVersion" "$(prop ModuleVersion)" 1.5.06
expect_eq "SEAMLoaderVersion" "$(prop SEAMLoaderVersion)" 2.0.00
expect_eq "ModuleUpdatesRemaining" "$(prop ModuleUpdatesRemaining)" 2

journal_has() { # MESSAGE_ID TEXT
	journalctl -b -u tdxd MESSAGE_ID="$1" -o cat --no-pager | grep -qF -- "$2"
}
busctl monitor --json=short --match \
	"type='signal',sender='org.tdxd.Tdx1',member='ModuleUpdateFinished'" \
	>/tmp/update-signals.json 2>/dev/null &
mpid=$!
sleep 1

# a bad signature: refused by tdxd, the kernel's files untouched
out=$(tdxctl update-module /tmp/bad.img 2>&1) && fail "a bad image was accepted: $out" ||
	pass "bad image refused"
[[ $out == *"Not a TDX module image"*signature* ]] && pass "bad image: the message names the signature" ||
	fail "bad image: $out"
expect_eq "bad image: status" "$(cat $FW/status)" idle
expect_eq "bad image: error" "$(cat $FW/error)" ""
expect_eq "bad image: version" "$(cat $TH/version)" 1.5.06
expect_eq "bad image: updates left" "$(cat $TH/num_remaining_updates)" 2

# a good image: the stand-in installs 1.5.08
out=$(tdxctl update-module /tmp/good.img 2>&1) && pass "good image: tdxctl succeeded" ||
	fail "good image: $out"
[[ $out == *"updated from 1.5.06 to 1.5.08"* ]] && pass "good image: both versions named" ||
	fail "good image: $out"
expect_eq "good image: ModuleVersion" "$(prop ModuleVersion)" 1.5.08
expect_eq "good image: ModuleUpdatesRemaining" "$(prop ModuleUpdatesRemaining)" 1
expect_eq "good image: ModuleUpdate" "$(prop ModuleUpdate)" idle
expect_eq "good image: State" "$(prop State)" ready
wait_for 10 grep -q '"done","1.5.06","1.5.08"' /tmp/update-signals.json &&
	pass "ModuleUpdateFinished(done, 1.5.06, 1.5.08, ...)" ||
	fail "no ModuleUpdateFinished done: $(cat /tmp/update-signals.json)"
wait_for 15 journal_has 8dee39ea87364757a7bbeb031bfbde06 'updated from 1.5.06 to 1.5.08' &&
	pass "journal record with the update's MESSAGE_ID" ||
	fail "no journal record: $(journalctl -b -u tdxd -o json --no-pager | grep -F 1.5.08 | tail -n 2)"

# a failed update: programming:hw-error, the module unusable until reboot
echo 1 >/sys/module/tdx_fwupload_sim/parameters/fail_update
out=$(tdxctl update-module /tmp/good.img 2>&1) && fail "a failed update reported success: $out" ||
	pass "failed update: tdxctl failed"
[[ $out == *"hw-error"*"reboot"* ]] && pass "failed update: the kernel's error and the reboot hint" ||
	fail "failed update: $out"
expect_eq "failed update: State" "$(prop State)" failed
expect_eq "failed update: ModuleUpdate" "$(prop ModuleUpdate)" failed
expect_eq "failed update: ModuleVersion" "$(prop ModuleVersion)" ""
[[ $(prop StateReason) == *reboot* ]] && pass "failed update: StateReason says reboot" ||
	fail "failed update: StateReason $(prop StateReason)"
wait_for 10 grep -q '"failed","1.5.08",""' /tmp/update-signals.json &&
	pass "ModuleUpdateFinished(failed, 1.5.08, \"\", ...)" ||
	fail "no ModuleUpdateFinished failed: $(cat /tmp/update-signals.json)"
wait_for 15 journal_has eecadae5b1a649619400785b72ff0e7d 'programming:hw-error' &&
	pass "journal record with the failed update's MESSAGE_ID" ||
	fail "no journal record of the failure"

# no update left: refused before anything is written
expect_eq "updates left" "$(prop ModuleUpdatesRemaining)" 0
echo 0 >/sys/module/tdx_fwupload_sim/parameters/fail_update
out=$(tdxctl update-module /tmp/good.img 2>&1) && fail "an update with none left was accepted: $out" ||
	pass "no update left: refused"
[[ $out == *"No runtime TDX module update is left"* ]] && pass "no update left: the message says so" ||
	fail "no update left: $out"
expect_eq "no update left: error untouched" "$(cat $FW/error)" "programming:hw-error"
expect_eq "no update left: status" "$(cat $FW/status)" idle
kill $mpid 2>/dev/null
