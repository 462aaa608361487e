# SPDX-License-Identifier: LGPL-2.1-or-later
# Authorization through the real polkitd (org.tdxd.Tdx1(5), ACCESS CONTROL): a polkit rule
# grants org.tdxd.Tdx1.offline-cpu to the group tdxadmin; its member offlines a CPU through
# tdxctl, a plain user is refused with one sentence naming the action, and nothing changes.
cpu=/sys/devices/system/cpu
[ "$(cat $cpu/cpu1/online)" = 1 ] || echo 1 >$cpu/cpu1/online
if ! command -v pkaction >/dev/null && [ ! -x /usr/lib/polkit-1/polkitd ]; then
	fail "polkitd is not installed in the image"
	return
fi
groupadd -f tdxadmin
id tdxop >/dev/null 2>&1 || useradd -M -N -g tdxadmin -s /bin/sh tdxop
mkdir -p /etc/polkit-1/rules.d
cat >/etc/polkit-1/rules.d/50-tdxd-lane.rules <<'RULES'
polkit.addRule(function(action, subject) {
	if (action.id == "org.tdxd.Tdx1.offline-cpu" && subject.isInGroup("tdxadmin"))
		return polkit.Result.YES;
});
RULES
# polkitd reads rules.d at start (and on change): start it fresh with the rule in place
systemctl restart polkit.service 2>/dev/null || systemctl start polkit.service
expect_eq "polkit on the bus" "$(busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1; echo $?)" 0
expect_eq "the action is installed" "$(pkaction --action-id org.tdxd.Tdx1.offline-cpu >/dev/null 2>&1; echo $?)" 0

out=$(runuser -u tdxop -- tdxctl --no-ask-password offline-cpu 1 2>&1)
expect_eq "tdxop (group tdxadmin, polkit rule) offlines cpu1: $out" $? 0
expect_eq "cpu1 offline" "$(cat $cpu/cpu1/online)" 0
echo 1 >$cpu/cpu1/online

out=$(runuser -u nobody -- tdxctl --no-ask-password offline-cpu 1 2>&1)
expect_eq "nobody is refused" $? 1
if [[ $out == *org.tdxd.Tdx1.offline-cpu* && $out != *"Rejected send message"* ]]; then
	pass "the refusal names the action: $out"
else
	fail "refusal: $out"
fi
expect_eq "cpu1 still online" "$(cat $cpu/cpu1/online)" 1
rm -f /etc/polkit-1/rules.d/50-tdxd-lane.rules
