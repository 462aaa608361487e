# SPDX-License-Identifier: LGPL-2.1-or-later
# Memory gate on device-dax (docs/readiness.md, *Memory gate*), TDX ready: 256 MiB of node 1's boot RAM at
# 0x60000000 turned "Soft Reserved" on the kernel command line (groups/guard-warn/
# kernel-cmdline: memmap=256M%0x60000000-1+0xefffffff) becomes dax0.0 through dax_hmem. It is
# not TDX memory (not System RAM at the initialization): tdx-memory warns naming it, the
# journal says so with its range, CheckMemoryRange refuses it, a re-created dax0.0 gets
# MemoryRefused; made system-ram through kmem, its blocks stay offline (the kernel refuses
# them, EPERM) and each gets MemoryRefused.
want=memmap=256M%0x60000000-1+0xefffffff
dax=/sys/bus/dax/devices/dax0.0
if ! grep -qw -- "$want" /proc/cmdline; then
	skip "needs '$want' on the kernel command line (lane.sh: groups/GROUP/kernel-cmdline); got: $(cat /proc/cmdline)"
else
	if grep -q '^ *60000000-6fffffff : Soft Reserved$' /proc/iomem; then
		pass "/proc/iomem: 60000000-6fffffff : Soft Reserved"; else
		fail "/proc/iomem: $(grep -iE 'soft|60000000' /proc/iomem | tr '\n' ';')"; fi
	if wait_for 20 test -e $dax; then pass "dax0.0 exists"; else fail "no dax0.0: $(ls /sys/bus/dax/devices 2>&1)"; fi
	expect_eq "dax0.0 size" "$(cat $dax/size 2>&1)" 268435456
	expect_eq "dax0.0 target_node" "$(cat $dax/target_node 2>&1)" 1
	expect_eq "dax0.0 mapping0" "$(cat $dax/mapping0/start $dax/mapping0/end 2>&1 | tr '\n' ' ')" "0x60000000 0x6fffffff "
	expect_eq "State (a dax device only warns)" "$(prop State)" '"ready"'
	check=$(prop Checks | jq -c '.[] | select(.[0] == "tdx-memory")')
	if [[ $(jq -r '.[2]' <<<"$check") == warn && $(jq -r '.[3]' <<<"$check") == *"dax0.0 [0x60000000, 0x70000000)"* ]]; then
		pass "tdx-memory warns naming dax0.0: $check"; else fail "tdx-memory: $check"; fi
	if [ -n "$(jq -r '.[4]' <<<"$check")" ]; then pass "tdx-memory has a hint"; else fail "tdx-memory hint empty"; fi
	# dax0.0 exists from early boot (before tdxd starts, or at least before it initializes the
	# TDX module, when it was still eligible): the verdict that counts, "refused" once the
	# module is initialized, must be logged (docs/readiness.md, *Memory gate*: "the verdict is logged and
	# signalled"), not only shown by the tdx-memory check.
	n=$(journalctl -b -u tdxd -o json --no-pager | jq -s '[.[] | select(.TDXD_MEMORY_DEVICE == "dax0.0" and .TDXD_MEMORY_START == "0x60000000" and .TDXD_MEMORY_SIZE == "0x10000000" and .MESSAGE_ID != null)] | length')
	if [ "${n:-0}" -ge 1 ]; then
		pass "journal: $(journalctl -b -u tdxd -o cat --no-pager | grep -m1 'dax0.0')"
	else fail "no tdxd journal entry for dax0.0 with its range and a MESSAGE_ID: $(journalctl -b -u tdxd -o cat --no-pager | grep -i dax | tail -n 2)"; fi
	out=$(busctl call "${TDXD_BUS[@]}" CheckMemoryRange tt 1610612736 268435456 2>&1)
	if [[ $out == "bs false "* ]]; then pass "CheckMemoryRange(dax0.0's range): $out"; else
		fail "CheckMemoryRange(dax0.0's range): $out"; fi

	# The device appears again (driver rebound): tdxd judges it again and says so on the bus.
	signals_start
	journal_mark
	modprobe -r dax_hmem 2>&1 | head -n 2
	if wait_for 20 eval '! test -e $dax'; then pass "dax0.0 gone with dax_hmem unloaded"; else
		fail "dax0.0 still there after modprobe -r dax_hmem"; fi
	modprobe dax_hmem
	if wait_for 20 test -e $dax; then pass "dax0.0 back with dax_hmem"; else fail "dax0.0 not re-created"; fi
	expect_signal "re-created dax0.0" '^MemoryRefused dax0.0 1610612736 268435456 .+' 20

	# system-ram through kmem, as 'daxctl reconfigure-device --mode=system-ram' does: the
	# blocks are added offline (auto_online_blocks=offline), tdxd refuses them, and the kernel
	# refuses to online them anyway (not present at the initialization).
	modprobe kmem
	echo dax0.0 >/sys/bus/dax/drivers/device_dax/unbind
	err=$( (echo dax0.0 >/sys/bus/dax/drivers/kmem/new_id) 2>&1) || note "kmem new_id: $err"
	[ "$(basename "$(readlink $dax/driver)")" = kmem ] || echo dax0.0 >/sys/bus/dax/drivers/kmem/bind 2>/dev/null
	expect_eq "dax0.0 driver" "$(basename "$(readlink $dax/driver 2>/dev/null)")" kmem
	mem=/sys/devices/system/memory
	if wait_for 20 test -e $mem/memory12 -a -e $mem/memory13; then pass "memory12 and memory13 added"; else
		fail "kmem blocks missing: $(ls $mem | tr '\n' ' ')"; fi
	expect_signal "kmem block memory12" '^MemoryRefused memory12 1610612736 134217728 .+' 20
	expect_signal "kmem block memory13" '^MemoryRefused memory13 1744830464 134217728 .+' 20
	udevadm settle --timeout=30
	expect_eq "memory12 state" "$(cat $mem/memory12/state)" offline
	err=$(sysfs_write $mem/memory12/state online_movable) && fail "memory12 (kmem) was onlined after TDX init" ||
		expect_eq "onlining memory12 (kmem) after init" "$err" "Operation not permitted"
	expect_eq "memory12 still offline" "$(cat $mem/memory12/state)" offline
	expect_journal "kmem range refused" '0x60000000' 'refus|offline|TDX'
	signals_stop
fi
