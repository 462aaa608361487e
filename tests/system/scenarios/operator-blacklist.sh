# SPDX-License-Identifier: LGPL-2.1-or-later
# The operator keeps the KVM module from loading in modprobe.d (tdxd.conf(5), MODULE BLACKLIST; issue 4): first
# `install tdx_kvm_sim /bin/false` (groups/kvm-policy, present at boot; nothing loaded the
# stand-in before tdxd), then `blacklist tdx_kvm_sim` and a restart. Each time tdxd loads
# nothing, State is disabled, StateReason and the kvm-module hint name the file, and the
# journal has the operator-policy MESSAGE_ID. tdxctl enable is refused the same way.
MID=5e61b2c8d4a94f0b8c27e9d1a3f6b045
install_file=/etc/modprobe.d/tdx-kvm-sim-off.conf
blacklist_file=/etc/modprobe.d/tdx-kvm-sim-blacklist.conf

# expect_blocked WHAT FILE WORD: tdxd's verdict after it decided not to load the module.
expect_blocked() {
	local what=$1 file=$2 word=$3 reason check n
	if wait_state disabled 60; then pass "$what: State disabled"; else
		fail "$what: State $(prop State)"; fi
	expect_eq "$what: Ready" "$(prop Ready)" false
	reason=$(prop StateReason)
	if [[ $reason == *"$file"* ]]; then pass "$what: StateReason names $file: $reason"; else
		fail "$what: StateReason does not name $file: $reason"; fi
	check=$(prop Checks | jq -c '.[] | select(.[0] == "kvm-module")')
	if [[ $(jq -r '.[2]' <<<"$check") != pass && $(jq -r '.[4]' <<<"$check") == *"$file"* ]]; then
		pass "$what: kvm-module hint names $file: $check"
	else fail "$what: kvm-module check: $check"; fi
	if [ -e /sys/module/tdx_kvm_sim ]; then
		fail "$what: tdx_kvm_sim is loaded (tdx=$(cat /sys/module/tdx_kvm_sim/parameters/tdx))"
	else pass "$what: tdx_kvm_sim not loaded"; fi
	SYS_MID_WORD=$word
	if wait_for 15 eval 'journalctl -b -u tdxd MESSAGE_ID=$MID --since "@$SYS_JOURNAL_SINCE" -o cat --no-pager | grep -q -- "$SYS_MID_WORD"'; then
		pass "$what: journal: $(journalctl -b -u tdxd MESSAGE_ID=$MID --since "@$SYS_JOURNAL_SINCE" -o cat --no-pager | tail -n 1)"
	else
		fail "$what: no tdxd journal entry with MESSAGE_ID=$MID mentioning '$word'; last: $(journal_new | tail -n 3)"
	fi
	n=$(journalctl -b -u tdxd MESSAGE_ID=$MID --since "@$SYS_JOURNAL_SINCE" -o json --no-pager |
		jq -s '[.[] | select(.TDXD_KVM_MODULE == "tdx_kvm_sim")] | length')
	if [ "${n:-0}" -ge 1 ]; then pass "$what: the entry carries TDXD_KVM_MODULE=tdx_kvm_sim"; else
		fail "$what: no entry with TDXD_KVM_MODULE=tdx_kvm_sim"; fi
}

# 1. install ... /bin/false, there since boot.
SYS_JOURNAL_SINCE=0
expect_eq "install line in place" "$(grep -v '^#' $install_file)" "install tdx_kvm_sim /bin/false"
if journalctl -b -t systemd-modules-load --no-pager -o cat | grep -qF tdx_kvm_sim; then
	fail "systemd-modules-load touched tdx_kvm_sim in this boot"; else
	pass "nothing loaded tdx_kvm_sim before tdxd"; fi
expect_blocked "install /bin/false" $install_file "install tdx_kvm_sim /bin/false"
expect_no_log "no TDX bring-up attempted" 'virt/tdx: (module initialized|SEAMCALL|module initialization failed)'
expect_file_exact "TDX module not initialized" /sys/firmware/tdx/tdx_module/status unknown

journal_mark
out=$(tdxctl enable 2>&1); rc=$?
expect_eq "tdxctl enable exit (blocked)" $rc 1
if [[ $out == *"$install_file"* ]]; then pass "tdxctl enable names the file: $out"; else
	fail "tdxctl enable: $out"; fi
expect_blocked "after tdxctl enable" $install_file "install tdx_kvm_sim /bin/false"

# 2. blacklist: operator intent too, although modprobe itself would still load it by name.
rm -f $install_file
printf '# the operator keeps KVM off\nblacklist tdx_kvm_sim\n' >$blacklist_file
journal_mark
systemctl restart tdxd
expect_blocked "blacklist" $blacklist_file blacklist
out=$(tdxctl status 2>&1)
if grep -q "$blacklist_file" <<<"$out"; then pass "tdxctl status names $blacklist_file"; else
	fail "tdxctl status: $(tr '\n' '|' <<<"$out")"; fi
