# SPDX-License-Identifier: LGPL-2.1-or-later
# The enable prerequisite "every package has an online CPU" on a real kernel (issue 4, spec
# section 6): with package 1 all offline, OnlineCPUsForInit=no refuses to enable and names the
# package and its CPUs; with yes tdxd onlines one of them and the module initializes (the
# stand-in, like the real module, would fail TDH.SYS.TDMR.INIT otherwise).
cpu=/sys/devices/system/cpu
conf=/etc/tdxd/tdxd.conf
expect_eq "State (EnableTDX=no)" "$(prop State)" '"disabled"'
for c in 3 2; do
	err=$(sysfs_write $cpu/cpu$c/online 0) && pass "cpu$c offline (TDX not enabled)" ||
		fail "offlining cpu$c: $err"
done
sleep 2
expect_eq "package 1 offline" "$(cat $cpu/cpu2/online)$(cat $cpu/cpu3/online)" 00

out=$(tdxctl enable 2>&1); rc=$?
expect_eq "tdxctl enable with OnlineCPUsForInit=no: exit" $rc 1
if [[ $out == *"package 1"* && ( $out == *"2-3"* || $out == *cpu2* ) ]]; then pass "refusal: $out"
else fail "refusal should name package 1 and its CPUs: $out"; fi
expect_file_exact "module not initialized" /sys/firmware/tdx/tdx_module/status unknown

sed -i 's/^OnlineCPUsForInit=no$/OnlineCPUsForInit=yes/' $conf
systemctl reload tdxd
sleep 2
dmesg_mark
out=$(tdxctl enable 2>&1); rc=$?
expect_eq "tdxctl enable with OnlineCPUsForInit=yes: exit" $rc 0
[ $rc -eq 0 ] || note "tdxctl enable: $out"
if wait_state ready 60; then pass "State ready"; else fail "State: $(prop State) $(prop StateReason)"; fi
n=$(( $(cat $cpu/cpu2/online) + $(cat $cpu/cpu3/online) ))
if [ $n -ge 1 ]; then pass "tdxd onlined a CPU of package 1 ($n online)"; else fail "package 1 still offline"; fi
expect_log "module initialized" "virt/tdx: module initialized"
expect_no_log "no SEAMCALL failure" "SEAMCALL"
